/**
 * 参数设置 (admin only): the version in force, what is scheduled for the next
 * business day (key: old → new), one form per plan plus general settings, and
 * the history of versions.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Card, Col, Descriptions, Row, Space, Spin, Tabs, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { ApiError, api, unwrap } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { asText, diff } from "./parameters/diff.ts";
import { ObjectList, Pools, PresetField, ShareRates, ValueField } from "./parameters/fields.tsx";
import { History } from "./parameters/History.tsx";
import { ChangeList, SectionForm } from "./parameters/SectionForm.tsx";

type Shown = Ok<"getConfig">;

function Overview({ shown }: { shown: Shown }) {
  const { t, language } = useI18n();
  const scheduled = diff(shown.config, shown.next.config);
  const version = (id: string | null) => (id ? t("params.version", { id }) : t("params.defaults"));
  return (
    <Row gutter={16}>
      <Col span={10}>
        <Card variant="borderless" style={{ height: "100%" }}>
          <Descriptions
            column={1}
            items={[
              { key: "today", label: t("params.today"), children: shown.businessDay },
              { key: "version", label: t("params.versionInForce"), children: version(shown.versionId) },
              { key: "next", label: t("params.nextDay"), children: shown.next.businessDay },
              { key: "nextVersion", label: t("params.nextVersion"), children: version(shown.next.versionId) },
            ]}
          />
          {shown.next.warnings.length > 0 && (
            <Space direction="vertical" style={{ width: "100%", marginTop: 8 }}>
              <Typography.Text strong>{t("params.warnings")}</Typography.Text>
              {shown.next.warnings.map((w) => (
                <Alert key={w.code} type="warning" showIcon title={language === "en" ? w.en : w.zh} />
              ))}
            </Space>
          )}
        </Card>
      </Col>
      <Col span={14}>
        <Card
          variant="borderless"
          style={{ height: "100%" }}
          title={t("params.scheduled", { day: shown.next.businessDay })}
          data-testid="params-scheduled"
        >
          {scheduled.length > 0 ? (
            <ChangeList changes={scheduled} />
          ) : (
            <Typography.Text type="secondary">
              {t("params.nothingScheduled", { day: shown.next.businessDay })}
            </Typography.Text>
          )}
        </Card>
      </Col>
    </Row>
  );
}

const PACKAGE_COLUMNS = [
  { field: "name", label: "params.colName", kind: "text", width: 140 },
  { field: "minAmount", label: "params.colMinAmount", kind: "decimal", width: 160 },
  { field: "multiple", label: "params.colMultiple", kind: "decimal", width: 120 },
] as const;
const STAR_COLUMNS = [
  { field: "name", label: "params.colName", kind: "text", width: 140 },
  { field: "minPerformance", label: "params.colMinPerformance", kind: "decimal", width: 180 },
  { field: "rate", label: "params.colRate", kind: "decimal", width: 120 },
] as const;

function grid(keys: readonly string[], kind?: "whole" | "text") {
  return (
    <Row gutter={24}>
      {keys.map((key) => (
        <Col span={8} key={key}>
          <ValueField
            keyName={key}
            {...(kind && key === "coolingOffDays" ? { kind: "whole" } : {})}
            {...(key === "timezone" ? { kind: "text" } : {})}
          />
        </Col>
      ))}
    </Row>
  );
}

function Forms({ shown, onSaved }: { shown: Shown; onSaved(): void }) {
  const { t } = useI18n();
  const base = asText(shown.next.config) as Record<string, unknown>;
  const key = shown.next.versionId ?? "defaults";
  const form = (section: "general" | "equity" | "cycle" | "release", children: React.ReactNode) => (
    <SectionForm key={`${section}-${key}`} section={section} base={base} onSaved={onSaved}>
      {children}
    </SectionForm>
  );
  const items = [
    {
      key: "general",
      label: t("params.tabGeneral"),
      children: form(
        "general",
        grid(["timezone", "coolingOffDays", "withdrawal.feeRate", "withdrawal.minAmount"], "whole"),
      ),
    },
    {
      key: "equity",
      label: t("params.tabEquity"),
      children: form(
        "equity",
        grid(
          [
            "initialPrice",
            "totalSupply",
            "contributionRate",
            "buyerShare",
            "referrerShare",
            "sellFeeRate",
            "redeemFeeRate",
            "exitQuotaMultiple",
          ].map((k) => `equity.${k}`),
        ),
      ),
    },
    {
      key: "cycle",
      label: t("params.tabCycle"),
      children: form(
        "cycle",
        <>
          <Row gutter={24}>
            <Col span={8}>
              <PresetField />
            </Col>
          </Row>
          {grid(["cycle.quotaMultiple", "cycle.weightPerYuan", "cycle.referralWeightRatio"])}
          <Pools />
        </>,
      ),
    },
    {
      key: "release",
      label: t("params.tabRelease"),
      children: form(
        "release",
        <>
          {grid(["release.dailyRate", "release.peerRate", "release.pointsPayRatio"])}
          <ShareRates />
          <Row gutter={24}>
            <Col span={12}>
              <ObjectList
                name={["release", "packages"]}
                keyName="release.packages"
                columns={PACKAGE_COLUMNS}
                fresh={{ name: "", minAmount: "", multiple: "" }}
              />
            </Col>
            <Col span={12}>
              <ObjectList
                name={["release", "starLevels"]}
                keyName="release.starLevels"
                columns={STAR_COLUMNS}
                fresh={{ name: "", minPerformance: "", rate: "" }}
              />
            </Col>
          </Row>
        </>,
      ),
    },
  ];
  return (
    <Card variant="borderless">
      <Tabs items={items} />
    </Card>
  );
}

export default function Parameters() {
  const { t, language } = useI18n();
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const load = useCallback(async () => {
    try {
      setShown(await unwrap(api.GET("/admin/config")));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const saved = () => {
    void load();
    setReload((n) => n + 1);
  };
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <div>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("params.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("params.subtitle")}</Typography.Text>{" "}
        <Link to="/compliance">{t("compliance.title")}</Link>
      </div>
      {error && <Alert type="error" showIcon title={error.sentence(language)} />}
      {!shown && !error && <Spin />}
      {shown && <Overview shown={shown} />}
      {shown && <Forms shown={shown} onSaved={saved} />}
      <History reload={reload} />
    </Space>
  );
}
