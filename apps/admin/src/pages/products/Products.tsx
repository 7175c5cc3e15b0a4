/**
 * 商品 (products): the list (server pages, newest first; search by name, filter
 * by status), create and edit in a drawer (plans — none is fine —, price, stock,
 * image upload), take off sale / put back on sale, and the demo payment switch.
 */
import type { Ok } from "@jifen/api-types";
import {
  App,
  Button,
  Card,
  Flex,
  Image,
  Input,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { ProductForm } from "./ProductForm.tsx";

export type Product = Ok<"listAllProducts">["items"][number];

const PAGE_SIZE = 10;

function DemoPaymentSwitch({ canChange }: { canChange: boolean }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [on, setOn] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    void unwrap(api.GET("/admin/shop/settings")).then((s) => setOn(s.demoPayment));
  }, []);
  async function change(next: boolean) {
    setSaving(true);
    try {
      const saved = await unwrap(api.PUT("/admin/shop/settings", { body: { demoPayment: next } }));
      setOn(saved.demoPayment);
      message.success(t(saved.demoPayment ? "products.demo.on" : "products.demo.off"));
    } catch (error) {
      message.error(error instanceof ApiError ? error.sentence(language) : String(error));
    } finally {
      setSaving(false);
    }
  }
  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Flex align="center" gap={12}>
        <Typography.Text strong>{t("products.demo.title")}</Typography.Text>
        <Switch
          checked={on ?? false}
          loading={on === null || saving}
          disabled={!canChange}
          onChange={change}
          data-testid="demo-payment-switch"
        />
        <Typography.Text type="secondary">{t("products.demo.help")}</Typography.Text>
      </Flex>
    </Card>
  );
}

function PlanTags({ product }: { product: Product }) {
  const { t } = useI18n();
  const colors: Record<string, string> = { equity: "gold", cycle: "green", release: "blue" };
  return (
    <Space size={4} wrap>
      {product.plans.length === 0 ? <Tag>{t("products.plan.none")}</Tag> : null}
      {product.plans.map((plan) => (
        <Tag key={plan} color={colors[plan]}>
          {t(`products.plan.${plan}` as MessageKey)}
        </Tag>
      ))}
      {product.membershipPackage ? <Tag color="purple">{t("products.package")}</Tag> : null}
    </Space>
  );
}

function StockCell({ product }: { product: Product }) {
  const { t } = useI18n();
  if (product.stock === null)
    return <Typography.Text type="secondary">{t("products.stock.unlimited")}</Typography.Text>;
  if (product.soldOut) return <Tag color="red">{t("products.stock.soldOut")}</Tag>;
  return <span>{product.stock}</span>;
}

export default function Products() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const isAdmin = session?.operator.role === "admin";
  const [name, setName] = useState("");
  const [status, setStatus] = useState<"" | "true" | "false">("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Ok<"listAllProducts"> | null>(null);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<Product | "new" | null>(null);
  const cursor = cursors[cursors.length - 1];

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const query = {
        limit: String(PAGE_SIZE),
        ...(cursor ? { cursor } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(status ? { active: status } : {}),
      };
      setPage(await unwrap(api.GET("/admin/products", { params: { query } })));
    } catch (error) {
      message.error(error instanceof ApiError ? error.sentence(language) : String(error));
    } finally {
      setLoading(false);
    }
  }, [cursor, name, status, language, message]);

  useEffect(() => {
    void load();
  }, [load]);

  async function setActive(product: Product, active: boolean) {
    try {
      if (active) {
        const { id: _id, soldOut: _s, imageUrl: _u, ...rest } = product;
        await unwrap(
          api.PUT("/admin/products/{id}", {
            params: { path: { id: product.id } },
            body: { ...rest, active: true, stock: rest.stock === null ? null : String(rest.stock) },
          }),
        );
      } else {
        await unwrap(api.DELETE("/admin/products/{id}", { params: { path: { id: product.id } } }));
      }
      message.success(t(active ? "products.activated" : "products.deactivated", { name: product.name }));
      await load();
    } catch (error) {
      message.error(error instanceof ApiError ? error.sentence(language) : String(error));
    }
  }

  const columns = [
    {
      title: t("products.col.image"),
      key: "image",
      width: 76,
      render: (_: unknown, p: Product) =>
        p.imageUrl ? (
          <Image src={p.imageUrl} width={52} height={52} style={{ objectFit: "cover", borderRadius: 4 }} />
        ) : (
          <div style={{ width: 52, height: 52, background: "#f5f5f5", borderRadius: 4 }} />
        ),
    },
    {
      title: t("products.col.name"),
      key: "name",
      render: (_: unknown, p: Product) => (
        <div>
          <div style={{ fontWeight: 500 }}>{p.name}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            ID {p.id}
          </Typography.Text>
        </div>
      ),
    },
    { title: t("products.col.price"), dataIndex: "price", key: "price", align: "right" as const, width: 120 },
    {
      title: t("products.col.plans"),
      key: "plans",
      render: (_: unknown, p: Product) => <PlanTags product={p} />,
    },
    {
      title: t("products.col.stock"),
      key: "stock",
      width: 100,
      render: (_: unknown, p: Product) => <StockCell product={p} />,
    },
    {
      title: t("products.col.status"),
      key: "status",
      width: 90,
      render: (_: unknown, p: Product) =>
        p.active ? (
          <Tag color="success">{t("products.status.active")}</Tag>
        ) : (
          <Tag>{t("products.status.inactive")}</Tag>
        ),
    },
    {
      title: t("products.col.actions"),
      key: "actions",
      width: 150,
      render: (_: unknown, p: Product) =>
        isAdmin ? (
          <Space size={0}>
            <Button type="link" size="small" onClick={() => setEditing(p)}>
              {t("products.action.edit")}
            </Button>
            {p.active ? (
              <Popconfirm
                title={t("products.deactivate.confirm", { name: p.name })}
                onConfirm={() => setActive(p, false)}
                okText={t("products.action.deactivate")}
                cancelText={t("products.cancel")}
              >
                <Button type="link" size="small" danger>
                  {t("products.action.deactivate")}
                </Button>
              </Popconfirm>
            ) : (
              <Button type="link" size="small" onClick={() => setActive(p, true)}>
                {t("products.action.activate")}
              </Button>
            )}
          </Space>
        ) : null,
    },
  ];

  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t("products.title")}
      </Typography.Title>
      <DemoPaymentSwitch canChange={isAdmin} />
      <Card>
        <Flex justify="space-between" style={{ marginBottom: 16 }} gap={12}>
          <Space>
            <Input.Search
              placeholder={t("products.search")}
              allowClear
              style={{ width: 240 }}
              onSearch={(value) => {
                setName(value);
                setCursors([undefined]);
              }}
            />
            <Select
              style={{ width: 140 }}
              value={status}
              onChange={(value) => {
                setStatus(value);
                setCursors([undefined]);
              }}
              options={[
                { value: "", label: t("products.status.all") },
                { value: "true", label: t("products.status.active") },
                { value: "false", label: t("products.status.inactive") },
              ]}
            />
          </Space>
          {isAdmin ? (
            <Button type="primary" onClick={() => setEditing("new")}>
              {t("products.create")}
            </Button>
          ) : null}
        </Flex>
        <Table<Product>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={page?.items ?? []}
          pagination={false}
          locale={{ emptyText: t("products.empty") }}
        />
        <Flex justify="flex-end" align="center" gap={12} style={{ marginTop: 16 }}>
          <Typography.Text type="secondary">{t("products.page", { page: cursors.length })}</Typography.Text>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t("products.prev")}
          </Button>
          <Button
            disabled={!page?.nextCursor}
            onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
          >
            {t("products.next")}
          </Button>
        </Flex>
      </Card>
      {editing !== null ? (
        <ProductForm
          product={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async (saved) => {
            setEditing(null);
            message.success(t("products.saved", { name: saved.name }));
            await load();
          }}
        />
      ) : null}
    </div>
  );
}
