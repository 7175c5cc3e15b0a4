import type { Ok } from "@jifen/api-types";
import { Button, Space, Table, Tag, Tree, Typography } from "antd";
import { useCallback, useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { CursorPager, useCursorPages } from "./CursorPager.tsx";
import { dateTime } from "./format.ts";

type Referral = Ok<"listMemberReferrals">["items"][number];
type ReferralPage = Ok<"listMemberReferrals">;

const TREE_PAGE = 50;

function referrals(memberId: string, cursor: string | null, limit: number): Promise<ReferralPage> {
  return unwrap(
    api.GET("/admin/members/{id}/referrals", {
      params: { path: { id: memberId }, query: { limit: String(limit), ...(cursor ? { cursor } : {}) } },
    }),
  );
}

/** 直推会员: the member's direct referrals, newest first, a server page at a time. */
export function ReferralsTab({ memberId }: { memberId: string }) {
  const { t } = useI18n();
  const pages = useCursorPages<Referral>((cursor, limit) => referrals(memberId, cursor, limit), memberId);
  return (
    <>
      <Table<Referral>
        rowKey="id"
        size="small"
        pagination={false}
        loading={pages.loading}
        dataSource={pages.items}
        data-testid="referrals-table"
        columns={[
          {
            title: t("members.id"),
            dataIndex: "id",
            render: (id: string) => <Link to={`/members/${id}`}>{id}</Link>,
          },
          { title: t("members.phone"), dataIndex: "phone" },
          { title: t("members.inviteCode"), dataIndex: "inviteCode" },
          {
            title: t("members.star"),
            dataIndex: "star",
            render: (star: string | null) => (star ? <Tag color="gold">{star}</Tag> : t("members.none")),
          },
          { title: t("members.joinedAt"), dataIndex: "createdAt", render: (at: string) => dateTime(at) },
        ]}
      />
      <CursorPager pages={pages} />
    </>
  );
}

/** A node of the browser: a member, or the "load more" button after a page of siblings. */
interface Node {
  key: string;
  memberId: string;
  member?: Pick<Referral, "id" | "phone" | "star" | "depth">;
  /** "load more": the cursor of the next page of `memberId`'s referrals. */
  more?: string;
  isLeaf: boolean;
  children?: Node[];
}

function memberNode(m: Pick<Referral, "id" | "phone" | "star" | "depth">, hasReferrals: boolean): Node {
  return { key: `m:${m.id}`, memberId: m.id, member: m, isLeaf: !hasReferrals };
}

function pageNodes(parentId: string, page: ReferralPage): Node[] {
  const nodes = page.items.map((r) => memberNode(r, r.hasReferrals));
  if (page.nextCursor)
    nodes.push({
      key: `more:${parentId}:${page.nextCursor}`,
      memberId: parentId,
      more: page.nextCursor,
      isLeaf: true,
    });
  return nodes;
}

/** `nodes` with `fn` applied to the node under `key` (searched along the opened branches only). */
function update(nodes: Node[], key: string, fn: (node: Node) => Node): Node[] {
  return nodes.map((node) => {
    if (node.key === key) return fn(node);
    return node.children ? { ...node, children: update(node.children, key, fn) } : node;
  });
}

/** The parent key of a "load more" node's siblings. */
function parentKey(node: Node): string {
  return `m:${node.memberId}`;
}

/**
 * 推荐树: the referral tree from this member, one level per click; each level
 * comes from the server a page at a time ("load more"), so a member with
 * 50,000 direct referrals or a chain 10,000 deep opens as quickly as any.
 */
export function TreeTab({ root }: { root: { id: string; phone: string; depth: number } }) {
  const { t } = useI18n();
  const [tree, setTree] = useState<Node[]>([memberNode({ ...root, star: null }, true)]);
  const [totals, setTotals] = useState<Record<string, number>>({});
  const [loadingMore, setLoadingMore] = useState<string | null>(null);

  const loadData = useCallback(async (node: Node) => {
    if (node.more || node.children) return;
    const page = await referrals(node.memberId, null, TREE_PAGE);
    setTotals((all) => ({ ...all, [node.memberId]: page.total ?? 0 }));
    setTree((all) => update(all, node.key, (n) => ({ ...n, children: pageNodes(n.memberId, page) })));
  }, []);

  const loadMore = useCallback(async (node: Node) => {
    if (!node.more) return;
    setLoadingMore(node.key);
    const page = await referrals(node.memberId, node.more, TREE_PAGE);
    setTree((all) =>
      update(all, parentKey(node), (parent) => ({
        ...parent,
        children: [
          ...(parent.children ?? []).filter((c) => c.key !== node.key),
          ...pageNodes(node.memberId, page),
        ],
      })),
    );
    setLoadingMore(null);
  }, []);

  const title = (node: Node) => {
    if (node.more)
      return (
        <Button
          size="small"
          type="link"
          loading={loadingMore === node.key}
          onClick={() => void loadMore(node)}
        >
          {t("members.tree.loadMore")}
        </Button>
      );
    const m = node.member;
    if (!m) return null;
    const total = totals[m.id];
    return (
      <Space size={6} data-testid={`tree-node-${m.id}`}>
        <Link to={`/members/${m.id}`}>{m.phone}</Link>
        <Typography.Text type="secondary">ID {m.id}</Typography.Text>
        {m.star && <Tag color="gold">{m.star}</Tag>}
        {total !== undefined && (
          <Typography.Text type="secondary">
            {total === 0 ? t("members.tree.empty") : t("members.tree.total", { total })}
          </Typography.Text>
        )}
      </Space>
    );
  };

  return (
    <Tree<Node>
      showLine
      blockNode
      selectable={false}
      treeData={tree}
      loadData={loadData}
      titleRender={title}
      data-testid="referral-tree"
    />
  );
}
