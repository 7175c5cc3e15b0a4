/**
 * The cart, kept on the phone (localStorage) until checkout: product ids and
 * quantities, with the name, price and image seen when added (for showing
 * only: the checkout asks the server for every amount).
 */
import { useSyncExternalStore } from "react";

export interface CartLine {
  readonly productId: string;
  readonly name: string;
  /** Yuan as the server wrote it ("99.00"). */
  readonly price: string;
  readonly imageUrl: string | null;
  readonly quantity: number;
  /** Units left when added (null = unlimited): the stepper's limit. */
  readonly stock: number | null;
}

const KEY = "jifen.h5.cart";
const listeners = new Set<() => void>();

function read(): CartLine[] {
  try {
    const lines = JSON.parse(localStorage.getItem(KEY) ?? "[]") as CartLine[];
    return Array.isArray(lines) ? lines : [];
  } catch {
    return [];
  }
}

let current: CartLine[] = read();

function write(lines: CartLine[]): void {
  current = lines;
  localStorage.setItem(KEY, JSON.stringify(lines));
  for (const listener of listeners) listener();
}

export function useCart(): CartLine[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

/** Adds `line.quantity` units (to the line already there, within the stock). */
export function addToCart(line: CartLine): void {
  const found = current.find((l) => l.productId === line.productId);
  if (!found) {
    write([...current, line]);
    return;
  }
  const quantity = found.quantity + line.quantity;
  setQuantity(line.productId, line.stock === null ? quantity : Math.min(quantity, line.stock));
}

export function setQuantity(productId: string, quantity: number): void {
  write(current.map((l) => (l.productId === productId ? { ...l, quantity } : l)));
}

export function removeFromCart(productId: string): void {
  write(current.filter((l) => l.productId !== productId));
}

export function clearCart(productIds: readonly string[]): void {
  write(current.filter((l) => !productIds.includes(l.productId)));
}
