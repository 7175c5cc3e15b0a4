import { Button } from "antd-mobile";
import { setSession } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.tsx";

export default function Me() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div style={{ padding: 16 }}>
      <div data-testid="me-phone">{session?.member.phone}</div>
      <Button onClick={() => setSession(null)}>{t("app.language")}</Button>
    </div>
  );
}
