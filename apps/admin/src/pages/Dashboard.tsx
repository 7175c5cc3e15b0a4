import type { Ok } from "@jifen/api-types";
import { Card, Col, Row, Statistic } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";

type Equity = Ok<"getAdminEquityFigures">;

export default function Dashboard() {
  const { t } = useI18n();
  const [equity, setEquity] = useState<Equity | null>(null);
  useEffect(() => {
    void unwrap(api.GET("/admin/equity")).then(setEquity);
  }, []);
  return (
    <Row gutter={16}>
      <Col span={6}>
        <Card>
          <Statistic title={t("dashboard.price")} value={equity?.price ?? "—"} />
        </Card>
      </Col>
      <Col span={6}>
        <Card>
          <Statistic title={t("dashboard.pool")} value={equity?.pool ?? "—"} />
        </Card>
      </Col>
    </Row>
  );
}
