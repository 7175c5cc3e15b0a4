import { SearchOutlined } from "@ant-design/icons";
import type { Ok, operations } from "@jifen/api-types";
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip } from "antd";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { CursorPager, useCursorPages } from "./CursorPager.tsx";
import { ExportButton } from "./ExportButton.tsx";
import { dateTime } from "./format.ts";

type Member = Ok<"listMembers">["items"][number];
type Query = NonNullable<operations["listMembers"]["parameters"]["query"]>;

interface Fields {
  phone?: string;
  inviteCode?: string;
  star?: string;
  joined?: [Dayjs | null, Dayjs | null] | null;
}

const FILTER_KEYS = ["phone", "inviteCode", "star", "joinedFrom", "joinedTo"] as const;

/** The filters in the page's address (#/members?phone=138…), so going back keeps them. */
function filtersOf(params: URLSearchParams) {
  const out: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  return out as {
    phone?: string;
    inviteCode?: string;
    star?: string;
    joinedFrom?: string;
    joinedTo?: string;
  };
}

function StarSelect() {
  const { t } = useI18n();
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    void unwrap(api.GET("/admin/members/star-levels")).then((answer) => setNames(answer.names));
  }, []);
  return (
    <Select
      allowClear
      placeholder={t("members.starAny")}
      style={{ width: 140 }}
      options={[
        { value: "none", label: t("members.starNone") },
        ...names.map((name) => ({ value: name, label: name })),
      ]}
    />
  );
}

function SearchForm({
  filters,
  onSearch,
}: {
  filters: ReturnType<typeof filtersOf>;
  onSearch(f: Fields): void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<Fields>();
  useEffect(() => {
    form.setFieldsValue({
      phone: filters.phone,
      inviteCode: filters.inviteCode,
      star: filters.star,
      joined:
        filters.joinedFrom || filters.joinedTo ? [dayjs(filters.joinedFrom), dayjs(filters.joinedTo)] : null,
    });
  }, [filters, form]);
  return (
    <Form<Fields> form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 12 }}>
      <Form.Item name="phone" label={t("members.phone")} rules={[{ pattern: /^[0-9]{1,11}$/, message: " " }]}>
        <Input allowClear placeholder={t("members.phonePlaceholder")} maxLength={11} style={{ width: 170 }} />
      </Form.Item>
      <Form.Item
        name="inviteCode"
        label={t("members.inviteCode")}
        rules={[{ pattern: /^[0-9A-Za-z]{1,16}$/, message: " " }]}
      >
        <Input allowClear maxLength={16} style={{ width: 130 }} />
      </Form.Item>
      <Form.Item name="star" label={t("members.star")}>
        <StarSelect />
      </Form.Item>
      <Form.Item name="joined" label={t("members.joined")}>
        <DatePicker.RangePicker allowEmpty={[true, true]} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
            {t("members.search")}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              onSearch({});
            }}
          >
            {t("members.reset")}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}

function useColumns() {
  const { t } = useI18n();
  return useMemo(
    () => [
      { title: t("members.id"), dataIndex: "id", width: 100 },
      {
        title: t("members.phone"),
        dataIndex: "phone",
        render: (phone: string, m: Member) =>
          m.phoneMasked ? <Tooltip title={t("members.masked")}>{phone}</Tooltip> : phone,
      },
      { title: t("members.inviteCode"), dataIndex: "inviteCode" },
      {
        title: t("members.star"),
        dataIndex: "star",
        render: (star: string | null) => (star ? <Tag color="gold">{star}</Tag> : t("members.none")),
      },
      { title: t("members.depth"), dataIndex: "depth", width: 80 },
      {
        title: t("members.referrer"),
        dataIndex: "referrerId",
        render: (id: string | null) => (id ? <Link to={`/members/${id}`}>{id}</Link> : t("members.none")),
      },
      { title: t("members.referrals"), dataIndex: "referrals", align: "right" as const, width: 90 },
      { title: t("members.spent"), dataIndex: "spent", align: "right" as const, render: groupDigits },
      {
        title: t("members.status"),
        dataIndex: "status",
        render: (status: string) =>
          status === "active" ? (
            <Tag color="green">{t("members.status.active")}</Tag>
          ) : (
            <Tag>{t("members.status.disabled")}</Tag>
          ),
      },
      { title: t("members.joinedAt"), dataIndex: "createdAt", render: (at: string) => dateTime(at) },
      {
        title: t("members.actions"),
        key: "actions",
        render: (_: unknown, m: Member) => <Link to={`/members/${m.id}`}>{t("members.view")}</Link>,
      },
    ],
    [t],
  );
}

/** 会员列表: search by phone, invite code, star level and join date; cursor pages; CSV export. */
export function MemberList() {
  const { t, language } = useI18n();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);
  const [error, setError] = useState<ApiError | null>(null);
  const pages = useCursorPages<Member>(async (cursor, limit) => {
    setError(null);
    const query: Query = { ...filters, limit: String(limit), ...(cursor ? { cursor } : {}) };
    try {
      return await unwrap(api.GET("/admin/members", { params: { query } }));
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught);
      return { items: [], nextCursor: null };
    }
  }, JSON.stringify(filters));
  const columns = useColumns();
  const mayExport = session?.operator.role === "admin" || session?.operator.role === "finance";

  function search(fields: Fields) {
    const next = new URLSearchParams();
    if (fields.phone) next.set("phone", fields.phone);
    if (fields.inviteCode) next.set("inviteCode", fields.inviteCode);
    if (fields.star) next.set("star", fields.star);
    const [from, to] = fields.joined ?? [null, null];
    if (from) next.set("joinedFrom", from.format("YYYY-MM-DD"));
    if (to) next.set("joinedTo", to.format("YYYY-MM-DD"));
    setParams(next);
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card>
        <SearchForm filters={filters} onSearch={search} />
      </Card>
      <Card
        title={t("members.title")}
        extra={
          mayExport && (
            <ExportButton
              label={t("members.export")}
              testId="members-export"
              fallbackName="members.csv"
              run={() =>
                api.GET("/admin/exports/members.csv", { params: { query: filters }, parseAs: "blob" })
              }
            />
          )
        }
      >
        {error && (
          <Alert type="error" showIcon title={error.sentence(language)} style={{ marginBottom: 16 }} />
        )}
        <Table<Member>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={pages.items}
          loading={pages.loading}
          pagination={false}
          data-testid="members-table"
        />
        <CursorPager pages={pages} />
      </Card>
    </Space>
  );
}
