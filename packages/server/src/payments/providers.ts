/**
 * The payment providers this server speaks, offered to the shop's settings.
 * Each provider module adds its factory here.
 */
import { alipayFactory } from "./alipay-provider.ts";
import type { ProviderFactory } from "./types.ts";
import { wechatFactory } from "./wechat-provider.ts";

/** Every provider factory, in the order the console lists them. */
export const PROVIDER_FACTORIES: readonly ProviderFactory[] = [wechatFactory, alipayFactory];
