/** The header's "change password" button and its dialog. */
import { App, Button, Modal } from "antd";
import { useState } from "react";
import { useI18n } from "../../i18n/index.tsx";
import { PasswordForm } from "./PasswordForm.tsx";

export default function ChangePasswordButton() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button type="text" onClick={() => setOpen(true)} data-testid="change-password">
        {t("password.change")}
      </Button>
      <Modal
        open={open}
        title={t("password.title")}
        footer={null}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <PasswordForm
          onDone={() => {
            setOpen(false);
            message.success(t("password.done"));
          }}
        />
      </Modal>
    </>
  );
}
