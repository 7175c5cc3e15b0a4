/**
 * The SMS outbox (短信记录) of the console provider: paged by the server,
 * phones masked; the codes show to administrators only (the server masks them
 * for every other role).
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Button, Card, Form, Input, Space, Table, Tag } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, formatTime, PAGE_SIZE, Pager, useCursorList } from "../orders/listing.tsx";

type Message = Ok<"listSmsOutbox">["items"][number];

export default function SmsOutbox() {
  const { t } = useI18n();
  const [form] = Form.useForm<{ phone?: string }>();
  const [phone, setPhone] = useState<string | undefined>();
  const list = useCursorList(
    (cursor) =>
      unwrap(
        api.GET("/admin/sms-outbox", {
          params: {
            query: { limit: String(PAGE_SIZE), ...(phone ? { phone } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    phone ?? "",
  );
  return (
    <Card>
      <Alert type="info" showIcon title={t("sms.hint")} style={{ marginBottom: 16 }} />
      <Form form={form} layout="inline" onFinish={(f) => setPhone(f.phone || undefined)}>
        <Form.Item
          name="phone"
          label={t("sms.filter.phone")}
          rules={[{ pattern: /^1[3-9]\d{9}$/, message: t("listing.phoneInvalid") }]}
        >
          <Input
            allowClear
            maxLength={11}
            style={{ width: 180 }}
            placeholder={t("orders.filter.phonePlaceholder")}
          />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t("listing.search")}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setPhone(undefined);
              }}
            >
              {t("listing.reset")}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <div style={{ height: 16 }} />
      <ErrorNotice error={list.error} />
      <Table<Message>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        data-testid="sms-table"
        columns={[
          { title: t("sms.col.time"), key: "time", width: 170, render: (_, m) => formatTime(m.createdAt) },
          { title: t("sms.col.phone"), dataIndex: "phone", width: 130 },
          {
            title: t("sms.col.template"),
            key: "template",
            width: 100,
            render: (_, m) => t(`sms.template.${m.template}` as MessageKey) ?? m.template,
          },
          { title: t("sms.col.content"), dataIndex: "content" },
          { title: t("sms.col.provider"), dataIndex: "provider", width: 90 },
          {
            title: t("sms.col.status"),
            key: "status",
            width: 90,
            render: (_, m) => (
              <Tag color={m.status === "sent" ? "green" : "red"}>
                {t(`sms.status.${m.status}` as MessageKey) ?? m.status}
              </Tag>
            ),
          },
          { title: t("sms.col.error"), key: "error", width: 160, render: (_, m) => m.error ?? "—" },
        ]}
      />
      <Pager {...list} />
    </Card>
  );
}
