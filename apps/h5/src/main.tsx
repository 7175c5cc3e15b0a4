import { unstableSetRender } from "antd-mobile";
import { createRoot, type Root } from "react-dom/client";
import { App } from "./App.tsx";
import { I18nProvider } from "./i18n/index.tsx";

// antd-mobile's Toast and Dialog render outside the tree; React 19 has no ReactDOM.render.
unstableSetRender((node, container) => {
  const holder = container as Element & { _reactRoot?: Root };
  holder._reactRoot ??= createRoot(container);
  const root = holder._reactRoot;
  root.render(node);
  return async () => {
    await Promise.resolve();
    root.unmount();
    delete holder._reactRoot;
  };
});

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <I18nProvider>
    <App />
  </I18nProvider>,
);
