import { h } from "./dom";

export interface AskOptions {
  title: string; message: string; confirm: string; danger: boolean; opener: HTMLElement;
  /** A text field to fill in (e.g. a new name); without it the dialog only confirms. */
  input?: { label: string; value: string };
}

/**
 * A modal question in a native <dialog>, like confirmDialog but with a required field of its own instead of a reason:
 * resolves to the field's trimmed value ("" when there is no field) when confirmed, or null when cancelled.
 */
export function askDialog(options: AskOptions): Promise<string | null> {
  return new Promise(resolve => {
    const titleId = "ask-title-" + Math.random().toString(36).slice(2);
    const field = options.input
      ? h("input", { type: "text", name: "value", required: true, "aria-label": options.input.label, value: options.input.value })
      : null;
    const cancel = h("button", { type: "button", onclick: () => dialog.close("cancel") }, "Cancel");
    const confirm = h("button", { type: "submit", class: options.danger ? "primary danger-fill" : "primary", value: "confirm" }, options.confirm);
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
      h("form", { method: "dialog" },
        h("h2", { id: titleId }, options.title),
        h("p", null, options.message),
        field ? h("label", { class: "stacked" }, options.input!.label, field) : null,
        h("div", { class: "dialog-actions" }, cancel, confirm)));
    dialog.addEventListener("close", () => {
      const confirmed = dialog.returnValue === "confirm";
      dialog.remove();
      options.opener.focus();
      resolve(confirmed ? field?.value.trim() ?? "" : null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    if (field) {
      field.focus();
      field.select();
    } else {
      // The safe choice has focus first, so Enter on an accidental open does nothing harmful.
      cancel.focus();
    }
  });
}
