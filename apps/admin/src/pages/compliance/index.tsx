/** 合规报告 (admin only): the compliance report of the parameters in force today. */
import type { Ok } from "@jifen/api-types";
import { Alert, Card, Space, Spin, Typography } from "antd";
import { useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ComplianceView } from "./ComplianceView.tsx";

export default function CompliancePage() {
  const { t, language } = useI18n();
  const [shown, setShown] = useState<Ok<"getComplianceReport"> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    unwrap(api.GET("/admin/compliance")).then(setShown, (caught: unknown) =>
      setError(caught instanceof ApiError ? caught : null),
    );
  }, []);
  const version = shown?.versionId
    ? t("compliance.version", { id: shown.versionId })
    : t("compliance.defaults");
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <div>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("compliance.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("compliance.subtitle")}</Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error.sentence(language)} />}
      {!shown && !error && <Spin />}
      {shown && (
        <Card variant="borderless" title={t("compliance.inForce", { version, day: shown.businessDay })}>
          <ComplianceView report={shown} />
        </Card>
      )}
    </Space>
  );
}
