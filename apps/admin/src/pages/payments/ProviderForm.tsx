/**
 * One provider's settings form: the switches, the fields by group with where
 * to get each, secrets write-only (已设置 / 未设置; sent only when typed, an
 * empty one keeps the stored value), and the server's refusal shown on the
 * field it names.
 */
import { App, Button, Checkbox, Divider, Form, Input, Switch, Tag } from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice } from "../orders/listing.tsx";
import { FIELDS, type FieldSpec, fieldHelp, fieldLabel, MASK, type ProviderName } from "./fields.ts";
import type { ProviderSettings } from "./PaymentSettings.tsx";

type Values = Record<string, string | boolean | string[] | undefined>;

const SCENES = ["jsapi", "h5", "native"];

function initialValues(name: ProviderName, s: ProviderSettings | null): Values {
  const values: Values = { enabled: s?.enabled ?? false, payouts: s?.payouts ?? false };
  for (const f of FIELDS[name]) values[f.name] = f.secret ? "" : (s?.config[f.name] ?? "");
  if (name === "wechat") values.scenes = (s?.config.scenes ?? SCENES.join(",")).split(",").filter(Boolean);
  return values;
}

/** The body to save: stored fields the form does not show are kept, secrets sent only when typed. */
function bodyOf(name: ProviderName, s: ProviderSettings | null, values: Values) {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(s?.config ?? {})) if (v !== MASK) config[k] = v;
  for (const f of FIELDS[name]) config[f.name] = String(values[f.name] ?? "").trim();
  if (name === "wechat") config.scenes = ((values.scenes as string[] | undefined) ?? []).join(",");
  return { enabled: values.enabled === true, payouts: values.payouts === true, config };
}

function SecretTag({ set }: { set: boolean }) {
  const { t } = useI18n();
  return (
    <Tag color={set ? "green" : "default"} style={{ marginInlineStart: 8 }}>
      {t(set ? "payments.secret.set" : "payments.secret.unset")}
    </Tag>
  );
}

function Field({
  name,
  f,
  settings,
}: {
  name: ProviderName;
  f: FieldSpec;
  settings: ProviderSettings | null;
}) {
  const { t } = useI18n();
  // Set as text (masked) or as a file on the server (`<field>File`, saved through the API).
  const set = settings?.config[f.name] === MASK || settings?.config[`${f.name}File`] !== undefined;
  const placeholder = f.secret ? t(set ? "payments.secret.keep" : "payments.secret.enter") : f.placeholder;
  const label = (
    <span>
      {t(fieldLabel(name, f.name))}
      {f.secret && <SecretTag set={set} />}
    </span>
  );
  return (
    <Form.Item name={f.name} label={label} extra={t(fieldHelp(name, f.name))} required={f.required}>
      {f.long ? (
        <Input.TextArea
          rows={f.secret ? 3 : 4}
          placeholder={placeholder}
          autoComplete="off"
          data-field={f.name}
        />
      ) : f.secret ? (
        <Input.Password placeholder={placeholder} autoComplete="new-password" data-field={f.name} />
      ) : (
        <Input placeholder={placeholder} data-field={f.name} />
      )}
    </Form.Item>
  );
}

export function ProviderForm(props: {
  name: ProviderName;
  settings: ProviderSettings | null;
  onSaved: (saved: ProviderSettings) => void;
}) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const { name, settings } = props;
  async function save(values: Values) {
    setBusy(true);
    setError(null);
    try {
      const saved = await unwrap(
        api.PUT("/admin/payments/providers/{name}", {
          params: { path: { name }, header: { "idempotency-key": crypto.randomUUID() } },
          body: bodyOf(name, settings, values),
        }),
      );
      props.onSaved(saved);
      form.setFieldsValue(initialValues(name, saved));
      message.success(t("payments.saved", { name: t(`payments.method.${name}` as MessageKey) }));
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      const known = caught.field && FIELDS[name].some((f) => f.name === caught.field);
      if (known) form.setFields([{ name: caught.field as string, errors: [caught.sentence(language)] }]);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  }
  const groups = ["basic", "keys", "advanced"] as const;
  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 720 }}
      initialValues={initialValues(name, settings)}
      onFinish={save}
      data-testid={`provider-form-${name}`}
      lang={language}
    >
      <ErrorNotice error={error} />
      <Form.Item
        name="enabled"
        label={t("payments.enabled")}
        extra={t("payments.enabled.help")}
        valuePropName="checked"
      >
        <Switch data-testid={`${name}-enabled`} />
      </Form.Item>
      <Form.Item
        name="payouts"
        label={t("payments.payouts")}
        extra={t("payments.payouts.help")}
        valuePropName="checked"
      >
        <Switch data-testid={`${name}-payouts`} />
      </Form.Item>
      {groups.map((g) => (
        <div key={g}>
          <Divider titlePlacement="start" plain>
            {t(`payments.group.${g}` as MessageKey)}
          </Divider>
          {g === "advanced" && name === "wechat" && (
            <Form.Item
              name="scenes"
              label={t("payments.wechat.scenes")}
              extra={t("payments.wechat.scenes.help")}
            >
              <Checkbox.Group
                options={SCENES.map((s) => ({
                  value: s,
                  label: s === "h5" ? "H5" : s === "jsapi" ? "JSAPI" : "Native",
                }))}
              />
            </Form.Item>
          )}
          {FIELDS[name]
            .filter((f) => f.group === g)
            .map((f) => (
              <Field key={f.name} name={name} f={f} settings={settings} />
            ))}
        </div>
      ))}
      <Button type="primary" htmlType="submit" loading={busy} data-testid={`${name}-save`}>
        {t("payments.save")}
      </Button>
    </Form>
  );
}
