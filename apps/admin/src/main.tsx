import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { I18nProvider } from "./i18n/index.tsx";

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <I18nProvider>
    <App />
  </I18nProvider>,
);
