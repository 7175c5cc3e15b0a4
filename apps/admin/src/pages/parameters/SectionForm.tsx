/**
 * One plan's form: its keys' values from the set in force from the next
 * business day. Saving first asks the server to preview the change (it checks
 * every key as a save would): a refusal shows its sentence next to the key it
 * names and changes nothing; an accepted change opens a confirmation listing
 * every key's old → new value (the server's whole resulting set against the
 * current one) and its risk warnings, and only then saves.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, App, Button, Form, Input, Modal, Space, Table, Typography } from "antd";
import { type ReactNode, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ComplianceView } from "../compliance/ComplianceView.tsx";
import { type Change, diff, fieldPath, patchOf, type Section } from "./diff.ts";
import { SimulationModal } from "./Simulation.tsx";

type Preview = Ok<"previewConfigChange">;
type DraftReport = Ok<"previewComplianceReport">;

/** The compliance report of a draft (POST /admin/compliance/preview), before it is saved. */
function DraftComplianceModal({ report, onClose }: { report: DraftReport; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Modal
      open
      title={t("compliance.draftTitle")}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t("compliance.close")}</Button>}
      width={1100}
    >
      <Typography.Paragraph type="secondary">
        {t("compliance.draftFrom", { day: report.effectiveDay })}
      </Typography.Paragraph>
      <ComplianceView report={report} />
    </Modal>
  );
}

export interface SectionFormProps {
  readonly section: Section;
  /** The set in force from the next business day, every value as text. */
  readonly base: Record<string, unknown>;
  readonly children: ReactNode;
  onSaved(): void;
}

/** The name of a changed key: the rule's key without list positions ("release.starLevels[0].rate" → release.starLevels). */
export function KeyName({ keyName }: { keyName: string }) {
  const { t } = useI18n();
  const base = keyName.replace(/\[\d+\].*$/, "");
  const label = t(`params.k.${base}` as MessageKey);
  return (
    <Space size={6}>
      {label && <Typography.Text>{label}</Typography.Text>}
      <Typography.Text code>{keyName}</Typography.Text>
    </Space>
  );
}

/** Changes as key: old → new. */
export function ChangeList({ changes }: { changes: readonly Change[] }) {
  const { t } = useI18n();
  return (
    <Table<Change>
      size="small"
      rowKey="key"
      pagination={false}
      dataSource={[...changes]}
      data-testid="change-list"
      columns={[
        {
          title: t("params.changeKey"),
          dataIndex: "key",
          width: "60%",
          render: (key: string) => <KeyName keyName={key} />,
        },
        {
          title: t("params.changeValues"),
          key: "change",
          render: (_: unknown, c: Change) => (
            <span>
              <Typography.Text type="secondary">{c.from ?? "—"}</Typography.Text>
              {" → "}
              <Typography.Text strong type="danger">
                {c.to ?? "—"}
              </Typography.Text>
            </span>
          ),
        },
      ]}
    />
  );
}

function ConfirmModal({
  preview,
  changes,
  patch,
  onClose,
  onSaved,
}: {
  preview: Preview;
  changes: Change[];
  patch: Record<string, unknown>;
  onClose(): void;
  onSaved(): void;
}) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [note, setNote] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  async function save() {
    setSaving(true);
    setError(null);
    try {
      const saved = await unwrap(api.POST("/admin/config", { body: { params: patch, note } }));
      message.success(t("params.saved", { id: saved.versionId, day: saved.effectiveDay }));
      onSaved();
      onClose();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    } finally {
      setSaving(false);
    }
  }
  return (
    <Modal
      open
      title={t("params.confirmTitle")}
      okText={t("params.confirmOk")}
      cancelText={t("params.cancel")}
      onOk={save}
      onCancel={onClose}
      confirmLoading={saving}
      width={640}
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Text>{t("params.confirmIntro", { day: preview.effectiveDay })}</Typography.Text>
        <ChangeList changes={changes} />
        {preview.warnings.map((w) => (
          <Alert key={w.code} type="warning" showIcon title={language === "en" ? w.en : w.zh} />
        ))}
        <Input.TextArea
          placeholder={t("params.notePlaceholder")}
          aria-label={t("params.note")}
          maxLength={200}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        {error && <Alert type="error" showIcon title={error.sentence(language)} />}
      </Space>
    </Modal>
  );
}

export function SectionForm({ section, base, children, onSaved }: SectionFormProps) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);
  const [confirm, setConfirm] = useState<{
    preview: Preview;
    changes: Change[];
    patch: Record<string, unknown>;
  } | null>(null);
  const [draftReport, setDraftReport] = useState<DraftReport | null>(null);
  const [simulated, setSimulated] = useState<Record<string, unknown> | null>(null);

  /** Asks the server about the draft in the form: a refusal is shown next to the key it names. */
  async function ask(
    values: Record<string, unknown>,
    then: (patch: Record<string, unknown>) => Promise<void>,
  ) {
    setRefusal(null);
    const patch = patchOf(section, base, values);
    if (Object.keys(patch).length === 0) {
      message.info(t("params.noChange"));
      return;
    }
    setChecking(true);
    try {
      await then(patch);
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setRefusal(caught);
      if (caught.field)
        form.setFields([{ name: fieldPath(caught.field), errors: [caught.sentence(language)] }]);
    } finally {
      setChecking(false);
    }
  }
  const check = (values: Record<string, unknown>) =>
    ask(values, async (patch) => {
      const preview = await unwrap(api.POST("/admin/config/preview", { body: { params: patch, note: "" } }));
      setConfirm({ preview, changes: diff(base, preview.config), patch });
    });
  const showCompliance = () =>
    ask(form.getFieldsValue(true), async (patch) => {
      setDraftReport(await unwrap(api.POST("/admin/compliance/preview", { body: { params: patch } })));
    });
  /** The draft is checked first (a refusal shows by its field), then the dialog runs both sets. */
  const showSimulation = () =>
    ask(form.getFieldsValue(true), async (patch) => {
      await unwrap(api.POST("/admin/config/preview", { body: { params: patch, note: "" } }));
      setSimulated(patch);
    });

  return (
    <Form form={form} layout="vertical" initialValues={base} onFinish={check} data-testid={`form-${section}`}>
      {refusal && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("params.refused")}
          description={refusal.sentence(language)}
          data-testid="params-refusal"
        />
      )}
      {children}
      <Space>
        <Button type="primary" htmlType="submit" loading={checking}>
          {checking ? t("params.checking") : t("params.save")}
        </Button>
        <Button
          onClick={() => {
            form.resetFields();
            setRefusal(null);
          }}
        >
          {t("params.reset")}
        </Button>
        <Button type="link" onClick={() => void showCompliance()} disabled={checking}>
          {t("compliance.draftButton")}
        </Button>
        <Button type="link" onClick={() => void showSimulation()} disabled={checking}>
          {t("sim.button")}
        </Button>
      </Space>
      {confirm && <ConfirmModal {...confirm} onClose={() => setConfirm(null)} onSaved={onSaved} />}
      {draftReport && <DraftComplianceModal report={draftReport} onClose={() => setDraftReport(null)} />}
      {simulated && <SimulationModal patch={simulated} onClose={() => setSimulated(null)} />}
    </Form>
  );
}
