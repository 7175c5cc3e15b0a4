import { ErrorBlock } from "antd-mobile";
import { useI18n } from "../../i18n/index.tsx";

/**
 * The shop's pages (routes shop/*): products, detail, cart, checkout, payment.
 * A placeholder until the shop's pages land (branch h5-shop replaces this file).
 */
export default function Shop() {
  const { t } = useI18n();
  return (
    <div style={{ paddingTop: 80 }}>
      <ErrorBlock status="empty" title={t("tab.shop")} description={t("shop.placeholder")} />
    </div>
  );
}
