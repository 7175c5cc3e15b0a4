/**
 * The web apps the server serves beside its API: the admin console at /admin/
 * (apps/admin/dist; its pages are addressed after a `#`, so that /admin/members
 * stays the API's) and the member site at /h5/ (apps/h5/dist; any unknown path
 * under /h5/ answers its index.html, so that /h5/register?invite=… opens the
 * register page). `/` leads to the member site.
 *
 * Hashed files under assets/ are cached for a year; index.html is revalidated each
 * time, so that a new build is seen at once. An app that has not been built
 * answers a page that says how to build it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where the built apps are; null serves none. */
export interface WebAppDirs {
  readonly adminDir: string | null;
  readonly h5Dir: string | null;
}

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The apps' build folders in this checkout (apps/admin/dist, apps/h5/dist). */
export const DEFAULT_WEB_APP_DIRS: WebAppDirs = {
  adminDir: join(REPO_ROOT, "apps/admin/dist"),
  h5Dir: join(REPO_ROOT, "apps/h5/dist"),
};

/** Pages and files, not API: left out of the OpenAPI document. */
const HIDDEN = { schema: { hide: true } };

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

function notBuiltPage(name: string): string {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Jifen</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.6">
<h1>${name} 尚未构建 / not built yet</h1>
<p>请在项目目录运行 <code>npm run build:web</code>（<code>npm start</code> 会自动构建）。</p>
<p>Run <code>npm run build:web</code> in the project folder (<code>npm start</code> builds it for you).</p>
</body></html>`;
}

async function serveApp(
  app: FastifyInstance,
  prefix: "/admin/" | "/h5/",
  dir: string | null,
  name: string,
  spaFallback: boolean,
): Promise<void> {
  const indexFile = dir ? join(dir, "index.html") : null;
  if (!dir || !indexFile || !existsSync(indexFile)) {
    const page = notBuiltPage(name);
    app.get(prefix, HIDDEN, async (_request, reply) => reply.type("text/html; charset=utf-8").send(page));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix,
    // One route per built file: the API's own /admin/… routes are never shadowed.
    wildcard: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader("cache-control", path.includes("/assets/") ? IMMUTABLE : REVALIDATE);
    },
  });
  if (spaFallback) {
    const index = readFileSync(indexFile);
    app.get(`${prefix}*`, HIDDEN, async (_request, reply) =>
      reply.type("text/html; charset=utf-8").header("cache-control", REVALIDATE).send(index),
    );
  }
}

/** Serves the built admin console and member site, and leads `/` to the member site. */
export async function registerWebApps(app: FastifyInstance, dirs: WebAppDirs): Promise<void> {
  await serveApp(app, "/admin/", dirs.adminDir, "管理后台 Admin console", false);
  await serveApp(app, "/h5/", dirs.h5Dir, "会员商城 Member site", true);
  app.get("/admin", HIDDEN, async (_request, reply) => reply.redirect("/admin/"));
  app.get("/h5", HIDDEN, async (_request, reply) => reply.redirect("/h5/"));
  app.get("/", HIDDEN, async (_request, reply) => reply.redirect("/h5/"));
  serveFavicon(app, dirs);
}

/** `/favicon.ico`, which browsers ask for on pages that name no icon: the apps' own mark. */
function serveFavicon(app: FastifyInstance, dirs: WebAppDirs): void {
  const file = [dirs.h5Dir, dirs.adminDir]
    .map((dir) => (dir ? join(dir, "favicon.svg") : null))
    .find((path) => path !== null && existsSync(path));
  if (!file) return;
  const icon = readFileSync(file);
  app.get("/favicon.ico", HIDDEN, async (_request, reply) =>
    reply.type("image/svg+xml").header("cache-control", REVALIDATE).send(icon),
  );
}
