import { h } from "./dom";

export interface ConfirmOptions { title: string; message: string; confirm: string; danger: boolean; opener: HTMLElement }

/**
 * A modal in a native <dialog>: showModal() makes the rest of the page inert and Escape cancels it. Shows `body`
 * (if any) between the message and the buttons, focuses `focus` (the Cancel button when not given, so Enter on an
 * accidental open does nothing harmful), and resolves to `value()` when confirmed or null when cancelled; focus
 * returns to the opener.
 */
export function modalDialog(options: ConfirmOptions & { body?: HTMLElement; focus?: HTMLInputElement; value: () => string }): Promise<string | null> {
  return new Promise(resolve => {
    const titleId = "dialog-title-" + Math.random().toString(36).slice(2);
    const cancel = h("button", { type: "button", onclick: () => dialog.close("cancel") }, "Cancel");
    const confirm = h("button", { type: "submit", class: options.danger ? "primary danger-fill" : "primary", value: "confirm" }, options.confirm);
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
      h("form", { method: "dialog" },
        h("h2", { id: titleId }, options.title),
        h("p", null, options.message),
        options.body ?? null,
        h("div", { class: "dialog-actions" }, cancel, confirm)));
    dialog.addEventListener("close", () => {
      const confirmed = dialog.returnValue === "confirm";
      dialog.remove();
      options.opener.focus();
      resolve(confirmed ? options.value() : null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    if (options.focus) {
      options.focus.focus();
      options.focus.select();
    } else {
      cancel.focus();
    }
  });
}

/** A confirmation with an optional reason: resolves to the reason typed (possibly empty), or null when cancelled. */
export function confirmDialog(options: ConfirmOptions): Promise<string | null> {
  const reason = h("input", { type: "text", name: "reason", "aria-label": "Reason (optional)", placeholder: "Reason (optional)" });
  return modalDialog({ ...options, body: reason, value: () => reason.value.trim() });
}
