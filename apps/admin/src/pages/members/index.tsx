/** The members page (会员管理): the list at #/members, a member at #/members/:id. */
import { Route, Routes } from "react-router";
import { MemberDetail } from "./MemberDetail.tsx";
import { MemberList } from "./MemberList.tsx";

export default function MembersPage() {
  return (
    <Routes>
      <Route index element={<MemberList />} />
      <Route path=":id" element={<MemberDetail />} />
    </Routes>
  );
}
