import { ArrowLeftOutlined, EditOutlined } from "@ant-design/icons";
import type { Ok } from "@jifen/api-types";
import { Alert, Button, Card, Col, Descriptions, Row, Space, Spin, Statistic, Table, Tabs, Tag } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { AdjustModal } from "./AdjustModal.tsx";
import { dateTime, labelOf } from "./format.ts";
import { AuditTab, HistoryTab, OrdersTab } from "./HistoryTabs.tsx";
import { ReferralsTab, TreeTab } from "./NetworkTabs.tsx";

type Detail = Ok<"getMember">;
type Wallet = Detail["wallets"][number];

function Profile({ detail }: { detail: Detail }) {
  const { t } = useI18n();
  const { member, standing } = detail;
  const next = standing.nextStar;
  return (
    <Descriptions
      column={3}
      size="small"
      items={[
        { key: "id", label: t("members.id"), children: member.id },
        {
          key: "phone",
          label: t("members.phone"),
          children: <span data-testid="member-phone">{member.phone}</span>,
        },
        { key: "invite", label: t("members.inviteCode"), children: member.inviteCode },
        {
          key: "referrer",
          label: t("members.referrer"),
          children: member.referrerId ? (
            <Link to={`/members/${member.referrerId}`}>{member.referrerId}</Link>
          ) : (
            t("members.none")
          ),
        },
        { key: "depth", label: t("members.depth"), children: member.depth },
        { key: "joined", label: t("members.joinedAt"), children: dateTime(member.createdAt) },
        {
          key: "star",
          label: t("members.star"),
          children: standing.star ? <Tag color="gold">{standing.star}</Tag> : t("members.none"),
        },
        {
          key: "starSince",
          label: t("members.starSince"),
          children: standing.starSince ?? t("members.none"),
        },
        { key: "grade", label: t("members.grade"), children: standing.grade ?? t("members.none") },
        {
          key: "nextStar",
          label: t("members.nextStar"),
          span: 3,
          children: next
            ? t("members.nextStarText", {
                name: next.name,
                shortfall: groupDigits(next.shortfall),
                threshold: groupDigits(next.threshold),
              })
            : t("members.topStar"),
        },
        {
          key: "consents",
          label: t("members.consents"),
          span: 3,
          children: (
            <span data-testid="member-consents">
              {detail.consents.length === 0
                ? t("members.consentsNone")
                : detail.consents
                    .map((c) =>
                      t("members.consentLine", {
                        title: t(c.kind === "terms" ? "agreements.tab.terms" : "agreements.tab.privacy"),
                        version: c.version,
                        at: dateTime(c.acceptedAt),
                      }),
                    )
                    .join("；")}
            </span>
          ),
        },
      ]}
    />
  );
}

function Wallets({ wallets }: { wallets: Wallet[] }) {
  const { t } = useI18n();
  return (
    <Table<Wallet>
      rowKey="wallet"
      size="small"
      pagination={false}
      dataSource={wallets}
      data-testid="member-wallets"
      columns={[
        {
          title: t("members.wallet"),
          dataIndex: "wallet",
          render: (w: string) => labelOf(t, "members.wallet.", w),
        },
        { title: t("members.balance"), dataIndex: "balance", align: "right", render: groupDigits },
        { title: t("members.reserved"), dataIndex: "reserved", align: "right" },
        { title: t("members.available"), dataIndex: "available", align: "right" },
        {
          title: t("members.debt"),
          dataIndex: "debt",
          align: "right",
          render: (debt: string) => (debt === "0" || debt === "0.00" ? debt : <Tag color="red">{debt}</Tag>),
        },
      ]}
    />
  );
}

function Team({ detail }: { detail: Detail }) {
  const { t } = useI18n();
  const { team } = detail;
  return (
    <Card
      title={t("members.team")}
      extra={t("members.performanceDay", { day: team.businessDay })}
      data-testid="member-team"
    >
      <Row gutter={16}>
        <Col span={4}>
          <Statistic title={t("members.generation1")} value={team.generation1} />
        </Col>
        <Col span={4}>
          <Statistic title={t("members.generation2")} value={team.generation2} />
        </Col>
        <Col span={4}>
          <Statistic title={t("members.downline")} value={team.downlineSize} />
        </Col>
        <Col span={4}>
          <Statistic title={t("members.performanceTotal")} value={team.performance.total} />
        </Col>
        <Col span={4}>
          <Statistic title={t("members.performanceCash")} value={team.performance.cash} />
        </Col>
        <Col span={4}>
          <Statistic title={t("members.performancePoints")} value={team.performance.points} />
        </Col>
      </Row>
    </Card>
  );
}

/** 会员详情: profile, standing, wallets, network performance, and tabs of history, orders, network, audit. */
export function MemberDetail() {
  const { id = "" } = useParams();
  const { t, language } = useI18n();
  const session = useSession();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  const [adjusting, setAdjusting] = useState(false);
  const mayAdjust = session?.operator.role === "admin" || session?.operator.role === "finance";
  const load = useCallback(async () => {
    try {
      setDetail(await unwrap(api.GET("/admin/members/{id}", { params: { path: { id } } })));
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught);
      else throw caught;
    }
  }, [id]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads after an adjustment
  useEffect(() => {
    void load();
  }, [load, version]);

  if (error) return <Alert type="error" showIcon title={error.sentence(language)} />;
  if (!detail || detail.member.id !== id) return <Spin />;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card
        title={
          <Space>
            <Link to="/members">
              <ArrowLeftOutlined /> {t("members.back")}
            </Link>
            <span>
              {t("members.detail")} · {detail.member.phone}
            </span>
          </Space>
        }
        extra={
          mayAdjust && (
            <Button type="primary" icon={<EditOutlined />} onClick={() => setAdjusting(true)}>
              {t("members.adjust.open")}
            </Button>
          )
        }
      >
        <Profile detail={detail} />
      </Card>
      <Card title={t("members.wallets")}>
        <Wallets wallets={detail.wallets} />
      </Card>
      <Team detail={detail} />
      <Card>
        <Tabs
          items={[
            {
              key: "history",
              label: t("members.tab.history"),
              children: <HistoryTab memberId={id} version={version} />,
            },
            { key: "orders", label: t("members.tab.orders"), children: <OrdersTab memberId={id} /> },
            { key: "referrals", label: t("members.tab.referrals"), children: <ReferralsTab memberId={id} /> },
            { key: "tree", label: t("members.tab.tree"), children: <TreeTab root={detail.member} /> },
            {
              key: "audit",
              label: t("members.tab.audit"),
              children: <AuditTab memberId={id} version={version} />,
            },
          ]}
        />
      </Card>
      {mayAdjust && (
        <AdjustModal
          memberId={id}
          open={adjusting}
          onClose={() => setAdjusting(false)}
          onDone={() => {
            setAdjusting(false);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </Space>
  );
}
