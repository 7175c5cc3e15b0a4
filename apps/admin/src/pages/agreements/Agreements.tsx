/**
 * 协议设置 / Agreements: the member terms (会员服务协议) and the privacy policy
 * (隐私政策) in force (GET /admin/agreements), one tab each, with their version,
 * when they were published and how many members accepted that version; an
 * admin edits the text and publishes it as the next version
 * (POST /admin/agreements/{kind}) after a confirmation. Earlier versions are
 * kept as they were: members registered under them keep their record.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, App as AntApp, Button, Card, Descriptions, Form, Input, Tabs, Tag } from "antd";
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, formatTime } from "../orders/listing.tsx";

type Item = Ok<"listAgreements">["items"][number];
type Kind = Item["kind"];

const TITLE_MAX = 40;
const BODY_MAX = 20_000;

/** One agreement's facts and its editor. */
function AgreementEditor({ item, onPublished }: { item: Item; onPublished: () => void }) {
  const { t } = useI18n();
  const { modal, message } = AntApp.useApp();
  const [form] = Form.useForm<{ title: string; body: string }>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => form.setFieldsValue({ title: item.title, body: item.body }), [form, item]);

  const publish = async (values: { title: string; body: string }) => {
    setSaving(true);
    setError(null);
    try {
      const saved = await unwrap(
        api.POST("/admin/agreements/{kind}", { params: { path: { kind: item.kind } }, body: values }),
      );
      message.success(t("agreements.published", { version: saved.version }));
      onPublished();
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught);
    } finally {
      setSaving(false);
    }
  };
  const confirm = async () => {
    const values = await form.validateFields();
    modal.confirm({
      title: t("agreements.confirm.title", { version: item.version + 1 }),
      content: t("agreements.confirm.content"),
      okText: t("agreements.publish"),
      onOk: () => publish(values),
    });
  };

  return (
    <div data-testid={`agreement-${item.kind}`}>
      <Descriptions size="small" column={3} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t("agreements.version")}>
          <span data-testid="agreement-version">{t("agreements.versionN", { version: item.version })}</span>
          {item.publishedAt === null && <Tag style={{ marginLeft: 8 }}>{t("agreements.builtIn")}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t("agreements.publishedAt")}>
          {formatTime(item.publishedAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t("agreements.consents")}>
          <span data-testid="agreement-consents">{item.consents}</span>
        </Descriptions.Item>
      </Descriptions>
      <ErrorNotice error={error} />
      <Form form={form} name={`agreement-${item.kind}`} layout="vertical" requiredMark={false}>
        <Form.Item
          name="title"
          label={t("agreements.title")}
          rules={[{ required: true, whitespace: true, message: t("agreements.titleRequired") }]}
        >
          <Input maxLength={TITLE_MAX} showCount style={{ maxWidth: 480 }} />
        </Form.Item>
        <Form.Item
          name="body"
          label={t("agreements.body")}
          extra={t("agreements.bodyHint")}
          rules={[{ required: true, whitespace: true, message: t("agreements.bodyRequired") }]}
        >
          <Input.TextArea maxLength={BODY_MAX} showCount autoSize={{ minRows: 14, maxRows: 28 }} />
        </Form.Item>
        <Button type="primary" loading={saving} onClick={confirm}>
          {t("agreements.publish")}
        </Button>
      </Form>
    </div>
  );
}

export default function Agreements() {
  const { t } = useI18n();
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [kind, setKind] = useState<Kind>("terms");
  const load = useCallback(() => {
    unwrap(api.GET("/admin/agreements")).then(
      (answer) => setItems(answer.items),
      (caught: unknown) => caught instanceof ApiError && setError(caught),
    );
  }, []);
  useEffect(load, [load]);

  return (
    <Card loading={items === null && error === null}>
      <Alert type="info" showIcon title={t("agreements.hint")} style={{ marginBottom: 16 }} />
      <ErrorNotice error={error} />
      {items && (
        <Tabs
          activeKey={kind}
          onChange={(key) => setKind(key as Kind)}
          items={items.map((item) => ({
            key: item.kind,
            label: t(item.kind === "terms" ? "agreements.tab.terms" : "agreements.tab.privacy"),
            children: <AgreementEditor item={item} onPublished={load} />,
          }))}
        />
      )}
    </Card>
  );
}
