import { ErrorBlock, NoticeBar } from "antd-mobile";
import type { ApiError } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";

/** The server's refusal in the reader's language (or the form's own check), as a red bar above a form. */
export function ErrorNotice({ error }: { error: ApiError | string | null }) {
  const { language } = useI18n();
  if (!error) return null;
  return (
    <div data-testid="form-error" role="alert" style={{ marginBottom: 12 }}>
      <NoticeBar color="error" wrap content={typeof error === "string" ? error : error.sentence(language)} />
    </div>
  );
}

/** A page whose data could not be loaded: the reason and a retry button. */
export function LoadError({ error, retry }: { error: ApiError; retry: () => void }) {
  const { t, language } = useI18n();
  return (
    <ErrorBlock status="default" title={error.sentence(language)} description="">
      <button type="button" onClick={retry} style={{ minHeight: 44 }}>
        {t("page.retry")}
      </button>
    </ErrorBlock>
  );
}
