/**
 * The console's pages: each one a side-menu entry, the roles that may open it
 * (the server checks the same on every call), and its code, loaded when opened.
 * A page owns the routes under its key (`members/*` holds `members/:id`).
 */
import { DashboardOutlined, ShoppingOutlined } from "@ant-design/icons";
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
    key: "products",
    label: "menu.products",
    icon: <ShoppingOutlined />,
    roles: EVERYONE,
    component: lazy(() => import("./products/Products.tsx")),
  },
];

/** The pages `role` may open, in menu order. */
export function pagesFor(role: Role): readonly PageEntry[] {
  return PAGES.filter((page) => page.roles.includes(role));
}
