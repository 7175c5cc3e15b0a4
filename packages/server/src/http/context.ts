import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { PasswordOptions } from "../auth/passwords.ts";
import type { SessionTtl } from "../auth/sessions.ts";
import type { LoginLimits, OperatorLoginLimits } from "../auth/throttle.ts";
import type { BackupService } from "../backup/index.ts";
import type { Clock } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import type { PaymentRegistry } from "../payments/index.ts";
import type { RewardHooks } from "../rewards/index.ts";
import type { SmsLimits, SmsProvider } from "../sms/index.ts";
import type { EquityWriter, WriterLease } from "../writer/index.ts";

/** The Fastify instance with the TypeBox type provider. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Everything route handlers share: storage, time, secrets, providers. */
export interface AppContext {
  readonly db: Db;
  readonly clock: Clock;
  /** Time zone of the business day. */
  readonly timeZone: string;
  /** Key of the SMS code hashes. */
  readonly secret: string;
  readonly sms: SmsProvider;
  readonly smsLimits: SmsLimits;
  readonly passwords: PasswordOptions;
  readonly sessionTtl: SessionTtl;
  readonly loginLimits: LoginLimits;
  readonly operatorLoginLimits: OperatorLoginLimits;
  /** Shared secret of the payment webhook; null disables it. */
  readonly webhookSecret: string | null;
  /** Where reward processing plugs in (no-ops until the engine is wired). */
  readonly hooks: RewardHooks;
  /** The shop's real-money payment providers (WeChat Pay, Alipay), as configured in settings. */
  readonly payments: PaymentRegistry;
  /** The server's backups (GET/POST /admin/backups); null: not set up (BACKUPS_OFF). */
  readonly backups: BackupService | null;
  /** The shop's equity writer (batched member equity commands, issue 14); null: one transaction per command. */
  readonly writer: EquityWriter | null;
  /**
   * The writer's lease when several server processes share one PostgreSQL (writer/lease.ts): commands
   * reach the writer through `viaWriter`; null: this process's writer writes unfenced (PGlite, tests).
   */
  readonly lease: WriterLease | null;
}

/** A signed-in member. */
export interface AuthMember {
  readonly id: string;
  readonly phone: string;
}

/** Operator roles: admin (everything), finance (money decisions), support (reads). */
export type OperatorRole = "admin" | "finance" | "support";

/** A signed-in operator. */
export interface AuthOperator {
  readonly id: string;
  readonly username: string;
  readonly role: OperatorRole;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in member, set by `requireMember`. */
    member: AuthMember | null;
    /** The signed-in operator, set by `requireOperator`. */
    operator: AuthOperator | null;
    /** The bearer token of the request, when it sent one. */
    bearer: string | null;
  }
}
