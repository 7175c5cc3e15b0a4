/** The parameter versions, newest first, a page at a time (GET /admin/config/versions). */
import type { Ok } from "@jifen/api-types";
import { Button, Card, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { dateTime } from "../../format/decimal.ts";
import { useI18n } from "../../i18n/index.tsx";
import { flatten } from "./diff.ts";
import { KeyName } from "./SectionForm.tsx";

type Version = Ok<"listConfigVersions">["items"][number];
const PAGE = 10;

export function History({ reload }: { reload: number }) {
  const { t, language } = useI18n();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Ok<"listConfigVersions"> | null>(null);
  const cursor = cursors[cursors.length - 1];
  const load = useCallback(async (at: string | undefined) => {
    const query = { limit: String(PAGE), ...(at ? { cursor: at } : {}) };
    setPage(await unwrap(api.GET("/admin/config/versions", { params: { query } })));
  }, []);
  useEffect(() => {
    void reload;
    setCursors([undefined]);
    void load(undefined);
  }, [reload, load]);
  useEffect(() => {
    void load(cursor);
  }, [cursor, load]);
  return (
    <Card variant="borderless" title={t("params.history")} data-testid="params-history">
      <Table<Version>
        rowKey="id"
        size="middle"
        pagination={false}
        dataSource={page?.items ?? []}
        columns={[
          { title: t("params.colVersion"), dataIndex: "id", width: 80, render: (id: string) => `#${id}` },
          { title: t("params.colEffective"), dataIndex: "effectiveDay", width: 120 },
          {
            title: t("params.colChanges"),
            key: "changes",
            render: (_: unknown, v: Version) => (
              <Space size={[4, 4]} wrap>
                {[...flatten(v.params)].map(([key, value]) => (
                  <Tag key={key} style={{ padding: "2px 6px" }}>
                    <KeyName keyName={key} /> = <Typography.Text strong>{value}</Typography.Text>
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: t("params.colOperator"),
            dataIndex: "operatorName",
            width: 120,
            render: (n: string | null) => n ?? "—",
          },
          { title: t("params.colNote"), dataIndex: "note", width: 200, render: (n: string) => n || "—" },
          {
            title: t("params.colCreated"),
            dataIndex: "createdAt",
            width: 180,
            render: (at: string) => dateTime(at, language),
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t("params.prev")}
        </Button>
        <Button
          disabled={!page?.nextCursor}
          onClick={() => setCursors([...cursors, page?.nextCursor ?? undefined])}
        >
          {t("params.next")}
        </Button>
      </Space>
    </Card>
  );
}
