/** Shared looks of the member site: the white rounded card, the red of the brand. */
export const CARD = {
  background: "#fff",
  borderRadius: 12,
  padding: 16,
  boxShadow: "0 2px 12px rgba(0,0,0,0.05)",
} as const;

export const RED = "#e4393c";

export const HEAD_GRADIENT = "linear-gradient(160deg, #ff5a3c 0%, #e4393c 55%, #c81623 100%)";

/** A card's title row. */
export const CARD_TITLE = { fontSize: 16, fontWeight: 600 } as const;
