export {
  ADJUST_PLACES,
  ADJUSTABLE,
  type AdjustableWallet,
  adjustMember,
  checkAdjustable,
} from "./adjustments.ts";
export {
  MemberFilterQuery,
  type MemberFilters,
  memberFilters,
  memberWhere,
  phoneFor,
  seesPhones,
} from "./directory.ts";
export {
  directReferrals,
  findByInviteCode,
  findMemberById,
  findMemberByPhone,
  insertMember,
  listMembers,
  type Member,
  newInviteCode,
  type TeamSummary,
  teamSummary,
} from "./repository.ts";
export { memberStanding, StandingSchema } from "./standing.ts";
