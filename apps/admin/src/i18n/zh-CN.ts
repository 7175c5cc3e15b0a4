/** The console's words in Chinese: the catalogue every string a person sees comes from. */
export const zhCN = {
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
  "menu.dashboard": "数据看板",
  "page.loading": "加载中…",
  "page.notFound": "页面不存在。",
  "dashboard.price": "增值积分价格",
  "dashboard.pool": "资金池",
} as const;

export type MessageKey = keyof typeof zhCN;
