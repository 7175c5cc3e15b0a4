/**
 * 支付设置 / Payments (admin only): the payment methods at a glance (manual,
 * generic webhook, WeChat Pay, Alipay) and each provider's settings (GET /
 * PUT /admin/payments/providers). Secrets are write-only: shown as 已设置 /
 * 未设置, sent only when typed; the server's refusal of a field shows on it.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Card, Descriptions, Space, Tabs, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice } from "../orders/listing.tsx";
import type { ProviderName } from "./fields.ts";
import { ProviderForm } from "./ProviderForm.tsx";

export type ProviderSettings = Ok<"listPaymentProviders">[number];

function MethodTags({ p }: { p: ProviderSettings | undefined }) {
  const { t } = useI18n();
  return (
    <Space size={4}>
      <Tag color={p?.enabled ? "green" : "default"}>{t(p?.enabled ? "payments.on" : "payments.off")}</Tag>
      {p?.payouts && <Tag color="blue">{t("payments.payoutsOn")}</Tag>}
    </Space>
  );
}

function Methods({ providers }: { providers: readonly ProviderSettings[] }) {
  const { t } = useI18n();
  const of = (name: ProviderName) => providers.find((p) => p.name === name);
  return (
    <Descriptions bordered size="small" column={1} data-testid="payment-methods">
      <Descriptions.Item label={t("payments.method.manual")}>
        <Tag color="green">{t("payments.on")}</Tag> {t("payments.method.manual.note")}
      </Descriptions.Item>
      <Descriptions.Item label={t("payments.method.webhook")}>
        {t("payments.method.webhook.note")}
      </Descriptions.Item>
      {(["wechat", "alipay"] as const).map((name) => (
        <Descriptions.Item key={name} label={t(`payments.method.${name}` as MessageKey)}>
          <span data-testid={`method-${name}`}>
            <MethodTags p={of(name)} />
          </span>
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

export default function PaymentSettings() {
  const { t } = useI18n();
  const [providers, setProviders] = useState<ProviderSettings[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try {
      setProviders(await unwrap(api.GET("/admin/payments/providers", {})));
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Alert type="info" showIcon message={t("payments.intro")} />
      <ErrorNotice error={error} />
      {providers && (
        <>
          <Card title={t("payments.methods")} size="small">
            <Methods providers={providers} />
          </Card>
          <Card>
            <Tabs
              items={(["wechat", "alipay"] as const).map((name) => ({
                key: name,
                label: t(`payments.method.${name}` as MessageKey),
                children: (
                  <>
                    <Typography.Paragraph type="secondary">
                      <b>{t("payments.needs")}：</b>
                      {t(`payments.${name}.needs` as MessageKey)}
                    </Typography.Paragraph>
                    <ProviderForm
                      name={name}
                      settings={providers.find((p) => p.name === name) ?? null}
                      onSaved={(saved) => setProviders(providers.map((p) => (p.name === name ? saved : p)))}
                    />
                  </>
                ),
              }))}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
