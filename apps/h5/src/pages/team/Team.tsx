import { PageFrame } from "../../layout/PageFrame.tsx";

export default function Team() {
  return <PageFrame title="Team">{null}</PageFrame>;
}
