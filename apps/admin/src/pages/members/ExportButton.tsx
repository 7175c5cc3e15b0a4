import { DownloadOutlined } from "@ant-design/icons";
import { App, Button } from "antd";
import { useState } from "react";
import { ApiError, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { fileNameOf, saveBlob } from "./download.ts";

type Answer = Promise<{ data?: Blob; error?: unknown; response: Response }>;

/** A button that downloads a CSV export with the operator's token and says when it is saved. */
export function ExportButton({
  label,
  run,
  fallbackName,
  testId,
}: {
  label: string;
  run: () => Answer;
  fallbackName: string;
  testId?: string;
}) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  async function download() {
    setBusy(true);
    try {
      const answer = run();
      const blob = await unwrap(answer);
      const name = fileNameOf((await answer).response.headers.get("content-disposition"), fallbackName);
      saveBlob(blob, name);
      message.success(t("members.exported", { file: name }));
    } catch (caught) {
      if (caught instanceof ApiError) message.error(caught.sentence(language));
      else throw caught;
    } finally {
      setBusy(false);
    }
  }
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={download} data-testid={testId}>
      {busy ? t("members.exporting") : label}
    </Button>
  );
}
