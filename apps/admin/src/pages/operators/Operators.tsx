/**
 * Operators and roles (运营账号, admin only): the accounts, add one with a role,
 * change a role, disable and enable. The server keeps the last active admin.
 */
import type { Body, Ok } from "@jifen/api-types";
import {
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { ErrorNotice, formatTime, PAGE_SIZE, Pager, useCursorList } from "../orders/listing.tsx";

type Operator = Ok<"listOperators">["items"][number];
type Role = Body<"createOperator">["role"];
const ROLES: Role[] = ["admin", "finance", "support"];
const ROLE_COLOR: Record<string, string> = { admin: "volcano", finance: "gold", support: "blue" };

function RoleChoice() {
  const { t } = useI18n();
  return (
    <Radio.Group style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      {ROLES.map((role) => (
        <Radio key={role} value={role}>
          {t(`role.${role}` as MessageKey)}
          <Typography.Text type="secondary">
            {" "}
            — {t(`operators.roleHint.${role}` as MessageKey)}
          </Typography.Text>
        </Radio>
      ))}
    </Radio.Group>
  );
}

interface NewOperator {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

function CreateModal(props: { open: boolean; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewOperator>();
  const [error, setError] = useState<ApiError | null>(null);
  async function submit(fields: NewOperator) {
    setError(null);
    try {
      const created = await unwrap(api.POST("/admin/operators", { body: fields }));
      message.success(t("operators.form.created", { name: created.username }));
      form.resetFields();
      props.onDone();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    }
  }
  return (
    <Modal
      open={props.open}
      title={t("operators.create")}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <ErrorNotice error={error} />
      <Form<NewOperator> form={form} layout="vertical" onFinish={submit} initialValues={{ role: "support" }}>
        <Form.Item
          name="username"
          label={t("operators.form.username")}
          rules={[
            { required: true, pattern: /^[A-Za-z0-9_.-]{2,32}$/, message: t("operators.form.usernameRule") },
          ]}
        >
          <Input maxLength={32} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t("operators.form.displayName")}
          rules={[{ required: true, whitespace: true, message: t("operators.form.displayNameRequired") }]}
        >
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="role" label={t("operators.form.role")} rules={[{ required: true }]}>
          <RoleChoice />
        </Form.Item>
        <Form.Item
          name="password"
          label={t("operators.form.password")}
          rules={[{ required: true, min: 8, message: t("operators.form.passwordRule") }]}
        >
          <Input.Password maxLength={72} autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RoleModal(props: { target: Operator | null; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ role: Role }>();
  const [error, setError] = useState<ApiError | null>(null);
  const { target } = props;
  async function submit({ role }: { role: Role }) {
    if (!target) return;
    setError(null);
    try {
      await unwrap(
        api.POST("/admin/operators/{id}/role", {
          params: { path: { id: target.id }, header: { "idempotency-key": crypto.randomUUID() } },
          body: { role },
        }),
      );
      message.success(t("operators.changeRole.done"));
      props.onDone();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    }
  }
  return (
    <Modal
      open={target !== null}
      title={target ? t("operators.changeRole.title", { name: target.displayName }) : ""}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <ErrorNotice error={error} />
      <Form
        form={form}
        onFinish={submit}
        initialValues={{ role: target?.role as Role | undefined }}
        preserve={false}
      >
        <Form.Item name="role">
          <RoleChoice />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Operators() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const list = useCursorList(
    (cursor) =>
      unwrap(
        api.GET("/admin/operators", {
          params: { query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    "operators",
  );
  const [creating, setCreating] = useState(false);
  const [changing, setChanging] = useState<Operator | null>(null);
  async function toggle(o: Operator) {
    const path = o.active ? "/admin/operators/{id}/disable" : "/admin/operators/{id}/enable";
    try {
      await unwrap(
        api.POST(path, {
          params: { path: { id: o.id }, header: { "idempotency-key": crypto.randomUUID() } },
        }),
      );
      message.success(
        t(o.active ? "operators.disable.done" : "operators.enable.done", { name: o.displayName }),
      );
      list.reload();
    } catch (caught) {
      if (caught instanceof ApiError) message.error(caught.sentence(language));
    }
  }
  return (
    <Card
      title={t("operators.list")}
      extra={
        <Button type="primary" onClick={() => setCreating(true)}>
          {t("operators.create")}
        </Button>
      }
    >
      <ErrorNotice error={list.error} />
      <Table<Operator>
        rowKey="id"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        data-testid="operators-table"
        columns={[
          {
            title: t("operators.col.username"),
            key: "username",
            render: (_, o) => `${o.username}${o.id === session?.operator.id ? t("operators.you") : ""}`,
          },
          { title: t("operators.col.displayName"), dataIndex: "displayName" },
          {
            title: t("operators.col.role"),
            key: "role",
            render: (_, o) => <Tag color={ROLE_COLOR[o.role]}>{t(`role.${o.role}` as MessageKey)}</Tag>,
          },
          {
            title: t("operators.col.active"),
            key: "active",
            render: (_, o) => (
              <Space size={4}>
                <Tag color={o.active ? "green" : "default"}>
                  {t(o.active ? "operators.active" : "operators.inactive")}
                </Tag>
                {o.mustChangePassword && <Tag color="orange">{t("operators.mustChange")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("operators.col.createdAt"),
            key: "createdAt",
            render: (_, o) => formatTime(o.createdAt),
          },
          {
            title: t("listing.actions"),
            key: "actions",
            render: (_, o) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setChanging(o)}>
                  {t("operators.changeRole")}
                </Button>
                {o.active ? (
                  <Popconfirm
                    title={t("operators.disable.question", { name: o.displayName })}
                    onConfirm={() => toggle(o)}
                  >
                    <Button type="link" size="small" danger>
                      {t("operators.disable")}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button type="link" size="small" onClick={() => toggle(o)}>
                    {t("operators.enable")}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Pager {...list} />
      <CreateModal
        open={creating}
        onClose={() => setCreating(false)}
        onDone={() => {
          setCreating(false);
          list.reload();
        }}
      />
      <RoleModal
        target={changing}
        onClose={() => setChanging(null)}
        onDone={() => {
          setChanging(null);
          list.reload();
        }}
      />
    </Card>
  );
}
