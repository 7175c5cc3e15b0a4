/**
 * The console's pages: each one a side-menu entry, the roles that may open it
 * (the server checks the same on every call), and its code, loaded when opened.
 * A page owns the routes under its key (`members/*` holds `members/:id`).
 */
import {
  AccountBookOutlined,
  CalculatorOutlined,
  DashboardOutlined,
  SettingOutlined,
  TeamOutlined,
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
}

const EVERYONE: readonly Role[] = ["admin", "finance", "support"];

export const PAGES: readonly PageEntry[] = [
  {
    key: "dashboard",
    label: "menu.dashboard",
    icon: <DashboardOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./Dashboard.tsx")),
  },
  {
    key: "settlements",
    label: "menu.settlements",
    icon: <CalculatorOutlined />,
    roles: ["admin"],
    component: lazy(() => import("./Settlements.tsx")),
  },
  {
    key: "parameters",
    label: "menu.parameters",
    icon: <SettingOutlined />,
    roles: ["admin"],
    component: lazy(() => import("./Parameters.tsx")),
  },
  {
    key: "members",
    label: "menu.members",
    icon: <TeamOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./members/index.tsx")),
  },
  {
    key: "liabilities",
    label: "liabilities.menu",
    icon: <AccountBookOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./liabilities/index.tsx")),
  },
];

/** The pages `role` may open, in menu order. */
export function pagesFor(role: Role): readonly PageEntry[] {
  return PAGES.filter((page) => page.roles.includes(role));
}
