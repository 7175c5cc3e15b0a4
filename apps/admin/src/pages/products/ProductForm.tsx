/** The drawer that creates or edits a product: fields checked before sending, the server's refusal shown by its field. */
import {
  Alert,
  Button,
  Checkbox,
  Drawer,
  Form,
  Image,
  Input,
  Radio,
  Space,
  Spin,
  Switch,
  Upload,
} from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import type { Product } from "./Products.tsx";

interface Values {
  name: string;
  description: string;
  price: string;
  plans: string[];
  membershipPackage: boolean;
  stockMode: "unlimited" | "limited";
  stock: string;
  active: boolean;
}

const PRICE = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;
const STOCK = /^(0|[1-9]\d{0,8})$/;

/** A fresh Idempotency-Key: a retried save creates the product once. */
function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The file as base64 (without the data: prefix). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function ProductForm({
  product,
  onClose,
  onSaved,
}: {
  product: Product | null;
  onClose: () => void;
  onSaved: (saved: Product) => Promise<void>;
}) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<Values>();
  const [image, setImage] = useState<{ id: string | null; url: string | null }>({
    id: product?.imageUrl ? (product.imageUrl.split("/").pop() ?? null) : null,
    url: product?.imageUrl ?? null,
  });
  const [uploading, setUploading] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [key] = useState(newIdempotencyKey);
  const stockMode = Form.useWatch("stockMode", form);

  async function upload(file: File) {
    setUploading(true);
    setError(null);
    try {
      const data = await readBase64(file);
      const stored = await unwrap(api.POST("/admin/product-images", { body: { data } }));
      setImage({ id: stored.id, url: stored.url });
    } catch (e) {
      setError(e instanceof ApiError ? e.sentence(language) : String(e));
    } finally {
      setUploading(false);
    }
  }

  async function save(values: Values) {
    setSaving(true);
    setError(null);
    const body = {
      name: values.name.trim(),
      description: values.description ?? "",
      price: values.price.trim(),
      plans: values.plans,
      membershipPackage: values.membershipPackage,
      active: values.active,
      stock: values.stockMode === "unlimited" ? null : values.stock.trim(),
      imageId: image.id,
    };
    try {
      const headers = { "idempotency-key": key };
      const saved = product
        ? await unwrap(
            api.PUT("/admin/products/{id}", { params: { path: { id: product.id }, header: headers }, body }),
          )
        : await unwrap(api.POST("/admin/products", { params: { header: headers }, body }));
      await onSaved(saved);
    } catch (e) {
      const field = e instanceof ApiError ? e.field : undefined;
      if (
        e instanceof ApiError &&
        (field === "name" || field === "price" || field === "stock" || field === "plans")
      ) {
        form.setFields([{ name: field, errors: [e.sentence(language)] }]);
      }
      setError(e instanceof ApiError ? e.sentence(language) : String(e));
    } finally {
      setSaving(false);
    }
  }

  const initial: Values = {
    name: product?.name ?? "",
    description: product?.description ?? "",
    price: product?.price ?? "",
    plans: product?.plans ?? [],
    membershipPackage: product?.membershipPackage ?? false,
    stockMode: product && product.stock !== null ? "limited" : "unlimited",
    stock: product?.stock !== null && product?.stock !== undefined ? String(product.stock) : "",
    active: product?.active ?? true,
  };

  return (
    <Drawer
      open
      width={560}
      title={t(product ? "products.edit" : "products.create")}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t("products.cancel")}</Button>
          <Button type="primary" loading={saving} disabled={uploading} onClick={() => form.submit()}>
            {t("products.save")}
          </Button>
        </Space>
      }
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          message={error}
          style={{ marginBottom: 16 }}
          data-testid="product-error"
        />
      ) : null}
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={save} requiredMark>
        <Form.Item
          name="name"
          label={t("products.field.name")}
          rules={[{ required: true, whitespace: true, max: 100, message: t("products.field.name.rule") }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item label={t("products.field.image")} extra={t("products.field.image.help")}>
          <Space align="start">
            {image.url ? (
              <Image
                src={image.url}
                width={96}
                height={96}
                style={{ objectFit: "cover", borderRadius: 6 }}
                data-testid="product-image-preview"
              />
            ) : null}
            <Space direction="vertical">
              <Upload
                accept="image/png,image/jpeg,image/webp"
                showUploadList={false}
                beforeUpload={(file) => {
                  void upload(file);
                  return false;
                }}
              >
                <Button loading={uploading}>{t("products.field.image.upload")}</Button>
              </Upload>
              {image.id ? (
                <Button type="link" size="small" onClick={() => setImage({ id: null, url: null })}>
                  {t("products.field.image.remove")}
                </Button>
              ) : null}
              {uploading ? <Spin size="small" tip={t("products.field.image.uploading")} /> : null}
            </Space>
          </Space>
        </Form.Item>
        <Form.Item
          name="price"
          label={t("products.field.price")}
          rules={[
            {
              required: true,
              validator: (_, value: string) =>
                PRICE.test((value ?? "").trim()) && !/^0(\.0{1,2})?$/.test(value.trim())
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("products.field.price.rule"))),
            },
          ]}
        >
          <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="plans" label={t("products.field.plans")} extra={t("products.field.plans.help")}>
          <Checkbox.Group
            options={[
              { value: "equity", label: t("products.plan.equity") },
              { value: "cycle", label: t("products.plan.cycle") },
              { value: "release", label: t("products.plan.release") },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="membershipPackage"
          label={t("products.field.package")}
          valuePropName="checked"
          extra={t("products.field.package.help")}
        >
          <Switch />
        </Form.Item>
        <Form.Item label={t("products.field.stockMode")} extra={t("products.field.stock.help")} required>
          <Space align="start">
            <Form.Item name="stockMode" noStyle>
              <Radio.Group
                options={[
                  { value: "limited", label: t("products.field.stock.limited") },
                  { value: "unlimited", label: t("products.stock.unlimited") },
                ]}
              />
            </Form.Item>
            {stockMode !== "unlimited" ? (
              <Form.Item
                name="stock"
                noStyle
                rules={[
                  {
                    validator: (_, value: string) =>
                      STOCK.test((value ?? "").trim())
                        ? Promise.resolve()
                        : Promise.reject(new Error(t("products.field.stock.rule"))),
                  },
                ]}
              >
                <Input
                  inputMode="numeric"
                  style={{ width: 140 }}
                  aria-label={t("products.field.stock")}
                  placeholder={t("products.field.stock")}
                />
              </Form.Item>
            ) : null}
          </Space>
        </Form.Item>
        <Form.Item name="description" label={t("products.field.description")}>
          <Input.TextArea rows={4} maxLength={2000} showCount />
        </Form.Item>
        <Form.Item name="active" label={t("products.field.active")} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
