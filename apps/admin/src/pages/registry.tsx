/**
 * The console's pages: each one a side-menu entry, the roles that may open it
 * (the server checks the same on every call), and its code, loaded when opened.
 * A page owns the routes under its key (`members/*` holds `members/:id`).
 */
import {
  AccountBookOutlined,
  AuditOutlined,
  CalculatorOutlined,
  CloudServerOutlined,
  DashboardOutlined,
  FileProtectOutlined,
  MessageOutlined,
  PayCircleOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingOutlined,
  TeamOutlined,
  UserSwitchOutlined,
  WalletOutlined,
} from "@ant-design/icons";
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from "react";
import type { Role } from "../api.ts";
import type { MessageKey } from "../i18n/index.tsx";

export interface PageEntry {
  readonly key: string;
  readonly label: MessageKey;
  readonly icon: ReactNode;
  readonly roles: readonly Role[];
  readonly component: LazyExoticComponent<ComponentType>;
  /** The page shows its own title (with a subtitle or actions); otherwise the frame shows the menu label as the title. */
  readonly ownTitle?: boolean;
}

const EVERYONE: readonly Role[] = ["admin", "finance", "support"];
const MONEY: readonly Role[] = ["admin", "finance"];
const ADMIN: readonly Role[] = ["admin"];

export const PAGES: readonly PageEntry[] = [
  {
    key: "dashboard",
    ownTitle: true,
    label: "menu.dashboard",
    icon: <DashboardOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./Dashboard.tsx")),
  },
  {
    key: "members",
    label: "menu.members",
    icon: <TeamOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./members/index.tsx")),
  },
  {
    key: "orders",
    label: "menu.orders",
    icon: <ShoppingOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./orders/Orders.tsx")),
  },
  {
    key: "products",
    ownTitle: true,
    label: "menu.products",
    icon: <ShopOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./products/Products.tsx")),
  },
  {
    key: "withdrawals",
    label: "menu.withdrawals",
    icon: <WalletOutlined />,
    roles: MONEY,
    component: lazy(() => import("./withdrawals/Withdrawals.tsx")),
  },
  {
    key: "settlements",
    ownTitle: true,
    label: "menu.settlements",
    icon: <CalculatorOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./Settlements.tsx")),
  },
  {
    key: "parameters",
    ownTitle: true,
    label: "menu.parameters",
    icon: <SettingOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./Parameters.tsx")),
  },
  {
    key: "payments",
    label: "menu.payments",
    icon: <PayCircleOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./payments/PaymentSettings.tsx")),
  },
  {
    key: "compliance",
    ownTitle: true,
    label: "compliance.menu",
    icon: <SafetyCertificateOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./compliance/index.tsx")),
  },
  {
    key: "agreements",
    label: "menu.agreements",
    icon: <FileProtectOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./agreements/Agreements.tsx")),
  },
  {
    key: "backups",
    label: "menu.backups",
    icon: <CloudServerOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./backups/Backups.tsx")),
  },
  {
    key: "liabilities",
    label: "liabilities.menu",
    icon: <AccountBookOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./liabilities/index.tsx")),
  },
  {
    key: "operators",
    label: "menu.operators",
    icon: <UserSwitchOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./operators/Operators.tsx")),
  },
  {
    key: "audit",
    label: "menu.audit",
    icon: <AuditOutlined />,
    roles: ADMIN,
    component: lazy(() => import("./audit/AuditLog.tsx")),
  },
  {
    key: "sms",
    label: "menu.sms",
    icon: <MessageOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./audit/SmsOutbox.tsx")),
  },
];

/** The pages `role` may open, in menu order. */
export function pagesFor(role: Role): readonly PageEntry[] {
  return PAGES.filter((page) => page.roles.includes(role));
}
