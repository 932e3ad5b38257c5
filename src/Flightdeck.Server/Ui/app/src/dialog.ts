import { h } from "./dom";

export interface ConfirmOptions { title: string; message: string; confirm: string; danger: boolean; opener: HTMLElement }

/**
 * A modal confirmation in a native <dialog>: showModal() makes the rest of the page inert and Escape cancels it.
 * Resolves to the reason typed (possibly empty) when confirmed, or null when cancelled; focus returns to the opener.
 */
export function confirmDialog(options: ConfirmOptions): Promise<string | null> {
  return new Promise(resolve => {
    const titleId = "dialog-title-" + Math.random().toString(36).slice(2);
    const reason = h("input", { type: "text", name: "reason", "aria-label": "Reason (optional)", placeholder: "Reason (optional)" });
    const cancel = h("button", { type: "button", onclick: () => dialog.close("cancel") }, "Cancel");
    const confirm = h("button", { type: "submit", class: options.danger ? "primary danger-fill" : "primary", value: "confirm" }, options.confirm);
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
      h("form", { method: "dialog" },
        h("h2", { id: titleId }, options.title),
        h("p", null, options.message),
        reason,
        h("div", { class: "dialog-actions" }, cancel, confirm)));
    dialog.addEventListener("close", () => {
      const confirmed = dialog.returnValue === "confirm";
      dialog.remove();
      options.opener.focus();
      resolve(confirmed ? reason.value.trim() : null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    // The safe choice has focus first, so Enter on an accidental open does nothing harmful.
    cancel.focus();
  });
}
