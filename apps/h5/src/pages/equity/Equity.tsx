import { PageFrame } from "../../layout/PageFrame.tsx";

export default function Equity() {
  return <PageFrame title="Equity">{null}</PageFrame>;
}
