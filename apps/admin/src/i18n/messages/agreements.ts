import { defineMessages } from "../define.ts";

/** 协议设置 / Agreements: the member terms and the privacy policy members accept when registering. */
export const agreements = defineMessages(
  {
    "menu.agreements": "协议设置",
    "agreements.hint":
      "会员注册时须勾选同意这两份协议，系统记录每位会员同意的版本。发布后生成新版本，旧版本原样保留；之后注册的会员须同意新版本。内置文本仅为起点，请按本店实际情况修改，并请律师审阅。",
    "agreements.tab.terms": "会员服务协议",
    "agreements.tab.privacy": "隐私政策",
    "agreements.version": "现行版本",
    "agreements.versionN": "第 {version} 版",
    "agreements.builtIn": "系统内置",
    "agreements.publishedAt": "发布时间",
    "agreements.consents": "同意此版本的会员",
    "agreements.title": "标题",
    "agreements.titleRequired": "请填写协议标题。",
    "agreements.body": "正文",
    "agreements.bodyHint": "纯文本，每行一段；会员在注册页点击标题即可阅读全文。",
    "agreements.bodyRequired": "请填写协议正文。",
    "agreements.publish": "发布新版本",
    "agreements.confirm.title": "发布为第 {version} 版？",
    "agreements.confirm.content": "发布后不能修改或撤回，只能再发布新版本。之后注册的会员须同意新版本。",
    "agreements.published": "已发布第 {version} 版。",
  },
  {
    "menu.agreements": "Agreements",
    "agreements.hint":
      "Members tick to accept these two texts when registering, and the version each member accepted is recorded. Publishing makes a new version and keeps the earlier ones as they were; members registering afterwards accept the new one. The built-in texts are only a starting point: adapt them to your shop and have a lawyer read them.",
    "agreements.tab.terms": "Member terms",
    "agreements.tab.privacy": "Privacy policy",
    "agreements.version": "In force",
    "agreements.versionN": "version {version}",
    "agreements.builtIn": "built-in",
    "agreements.publishedAt": "Published",
    "agreements.consents": "Members who accepted it",
    "agreements.title": "Title",
    "agreements.titleRequired": "Enter the agreement's title.",
    "agreements.body": "Text",
    "agreements.bodyHint":
      "Plain text, one paragraph a line; members open it from the register page by its title.",
    "agreements.bodyRequired": "Enter the agreement's text.",
    "agreements.publish": "Publish a new version",
    "agreements.confirm.title": "Publish as version {version}?",
    "agreements.confirm.content":
      "A published version cannot be changed or withdrawn, only followed by a newer one. Members registering afterwards accept the new version.",
    "agreements.published": "Version {version} published.",
  },
);
