import { defineMessages } from "../define.ts";

/** Words every page shares: the frame, sign-in, roles. */
export const common = defineMessages(
  {
    "app.title": "积分管理后台",
    "app.language": "English",
    "signIn.title": "运营登录",
    "signIn.subtitle": "积分 · 返利 · 分红 引擎",
    "signIn.username": "用户名",
    "signIn.password": "密码",
    "signIn.submit": "登录",
    "signIn.usernameRequired": "请输入用户名。",
    "signIn.passwordRequired": "请输入密码。",
    "layout.signOut": "退出登录",
    "role.admin": "超级管理员",
    "role.finance": "财务",
    "role.support": "客服",
    "page.loading": "加载中…",
    "page.notFound": "页面不存在。",
  },
  {
    "app.title": "Jifen Admin",
    "app.language": "中文",
    "signIn.title": "Operator sign-in",
    "signIn.subtitle": "Points, rebates and dividends",
    "signIn.username": "Username",
    "signIn.password": "Password",
    "signIn.submit": "Sign in",
    "signIn.usernameRequired": "Enter your username.",
    "signIn.passwordRequired": "Enter your password.",
    "layout.signOut": "Sign out",
    "role.admin": "Administrator",
    "role.finance": "Finance",
    "role.support": "Support",
    "page.loading": "Loading…",
    "page.notFound": "This page does not exist.",
  },
);
