/**
 * GET /me/withdrawals/{id}/payout-confirm: what the member site needs to let
 * the member confirm a WeChat Pay 商家转账 in WeChat (the JS bridge's
 * requestMerchantTransfer takes the merchant id, the app id and the
 * package_info WeChat Pay gave the transfer). Only the member's own
 * withdrawal, and only while WeChat waits for them (WAIT_USER_CONFIRM).
 */
import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { requireMember } from "../http/guards.ts";
import { IdParams, responses } from "../http/schemas.ts";
import { readProviderSettings } from "../payments/index.ts";
import { findWithdrawal } from "./withdrawals.ts";

const ConfirmSchema = Type.Object({
  mchId: Type.String({ description: "the shop's WeChat Pay merchant id (mchId)" }),
  appId: Type.String({ description: "the shop's app id (appId)" }),
  package: Type.String({ description: "package_info of the transfer" }),
});

/** The member's confirmation of a WeChat Pay transfer waiting for them. */
export function payoutConfirmRoute(app: App, ctx: AppContext): void {
  app.get(
    "/me/withdrawals/:id/payout-confirm",
    {
      preValidation: requireMember(ctx),
      schema: {
        tags: ["me"],
        summary: "微信确认收款参数 / confirm a WeChat Pay transfer",
        operationId: "getMyPayoutConfirmation",
        description:
          "提现通过微信支付商家转账打款、且微信等待会员确认收款时，返回调起确认收款（requestMerchantTransfer）所需的商户号、AppID 和 package。 / While WeChat Pay waits for the member to confirm a transfer, the merchant id, app id and package that WeChat's requestMerchantTransfer needs.",
        params: IdParams,
        response: responses(ConfirmSchema, {
          errors: ["WITHDRAWAL_NOT_FOUND", "WITHDRAWAL_NO_CONFIRM"],
          example: { mchId: "1900000109", appId: "wxd678efh567hg6787", package: "affffddafdfafddffda==" },
        }),
      },
    },
    async (request) => {
      const found = await findWithdrawal(ctx.db, request.params.id);
      if (!found || found.memberId !== request.member?.id) fail("WITHDRAWAL_NOT_FOUND");
      const action = found.status === "paying" ? found.payout?.memberAction : undefined;
      const settings =
        found.payout?.provider === "wechat" ? await readProviderSettings(ctx.db, "wechat") : null;
      const mchId = settings?.config.mchId;
      const appId = settings?.config.appId;
      if (!action || !mchId || !appId) fail("WITHDRAWAL_NO_CONFIRM");
      return { mchId, appId, package: action };
    },
  );
}
