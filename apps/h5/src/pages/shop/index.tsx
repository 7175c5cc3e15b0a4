/**
 * The shop's pages (routes shop/*): products, detail, cart, checkout (paying
 * part with released points up to the server's cap), payment. Products and
 * the cart are open to anyone; checkout and payment need a signed-in member.
 */
import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { RequireSession } from "../../session.tsx";
import { ProductList } from "./ProductList.tsx";

const ProductDetail = lazy(() => import("./ProductDetail.tsx"));
const Cart = lazy(() => import("./Cart.tsx"));
const Checkout = lazy(() => import("./Checkout.tsx"));
const Pay = lazy(() => import("./Pay.tsx"));
const Orders = lazy(() => import("./Orders.tsx"));

export default function Shop() {
  return (
    <Suspense fallback={null}>
      <Routes>
        <Route index element={<ProductList />} />
        <Route path="products/:id" element={<ProductDetail />} />
        <Route path="cart" element={<Cart />} />
        <Route
          path="checkout"
          element={
            <RequireSession>
              <Checkout />
            </RequireSession>
          }
        />
        <Route
          path="orders"
          element={
            <RequireSession>
              <Orders />
            </RequireSession>
          }
        />
        <Route
          path="pay/:id"
          element={
            <RequireSession>
              <Pay />
            </RequireSession>
          }
        />
      </Routes>
    </Suspense>
  );
}
