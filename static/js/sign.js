// The signing page, enhanced: the busy button, focus on the panel or its first error, and the
// document shown with PDF.js at the page of the signatory's box, the box outlined. Without this
// script the page works as it is: PNG preview of the box, download link, plain forms.

function busyButtons() {
  for (const form of document.querySelectorAll("form.sign-form")) {
    form.addEventListener("submit", (event) => {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault(); // already sent: a second click does nothing
        return;
      }
      const button = form.querySelector("button[type=submit]");
      form.setAttribute("aria-busy", "true");
      if (button) {
        button.dataset.label = button.textContent;
        button.textContent = form.dataset.busyLabel;
        button.disabled = true;
      }
    });
  }
  // Coming back through the history restores the page as it was left: make the buttons usable again.
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form.sign-form[aria-busy=true]")) {
      const button = form.querySelector("button[type=submit]");
      form.removeAttribute("aria-busy");
      if (button) {
        button.textContent = button.dataset.label;
        button.disabled = false;
      }
    }
  });
}

function focusPanel() {
  const panel = document.getElementById("signer");
  if (!panel) return;
  const invalid = panel.querySelector("[aria-invalid=true], .field--error input");
  if (invalid) {
    invalid.focus();
  } else if (window.location.hash === "#signer" && !panel.contains(document.activeElement)) {
    panel.querySelector("h2").focus();
  }
}

async function showDocument(viewer) {
  const pdfjs = await import(viewer.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
  const pdf = await pdfjs.getDocument({ url: viewer.dataset.pdf, isEvalSupported: false }).promise;
  const target = Number(viewer.dataset.page || 1);
  const box = viewer.dataset.box ? viewer.dataset.box.split(",").map(Number) : null;
  viewer.hidden = false;
  const width = viewer.clientWidth - 16;
  const pages = [];
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const page = await pdf.getPage(number);
    const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
    const holder = document.createElement("div");
    holder.className = "pdf-page";
    holder.style.width = `${viewport.width}px`;
    holder.style.height = `${viewport.height}px`;
    holder.dataset.number = String(number);
    holder.setAttribute("role", "img");
    holder.setAttribute("aria-label", viewer.dataset.label.replace("{n}", String(number)));
    viewer.append(holder);
    pages.push({ page, viewport, holder, drawn: false });
  }
  const draw = async (entry) => {
    if (entry.drawn) return;
    entry.drawn = true;
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(entry.viewport.width * ratio);
    canvas.height = Math.floor(entry.viewport.height * ratio);
    entry.holder.prepend(canvas);
    await entry.page.render({
      canvas, viewport: entry.viewport, transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    }).promise;
  };
  const observer = new IntersectionObserver((seen) => {
    for (const item of seen) {
      if (item.isIntersecting) draw(pages[Number(item.target.dataset.number) - 1]);
    }
  }, { root: viewer, rootMargin: "200px" });
  for (const entry of pages) observer.observe(entry.holder);
  const chosen = pages[Math.min(Math.max(target, 1), pages.length) - 1];
  if (box) {
    const [x1, y1] = chosen.viewport.convertToViewportPoint(box[0], box[1]);
    const [x2, y2] = chosen.viewport.convertToViewportPoint(box[2], box[3]);
    const outline = document.createElement("div");
    outline.className = "pdf-box";
    outline.style.left = `${Math.min(x1, x2)}px`;
    outline.style.top = `${Math.min(y1, y2)}px`;
    outline.style.width = `${Math.abs(x2 - x1)}px`;
    outline.style.height = `${Math.abs(y2 - y1)}px`;
    chosen.holder.append(outline);
  }
  await draw(chosen);
  viewer.scrollTop = chosen.holder.offsetTop - viewer.offsetTop
    + (box ? Math.max(0, chosen.holder.querySelector(".pdf-box").offsetTop - viewer.clientHeight / 3) : 0);
  viewer.dataset.ready = "true";
  const fallback = viewer.parentElement.querySelector(".field-preview");
  if (fallback) fallback.hidden = true;
}

busyButtons();
// After the browser's own move to #signer, which would otherwise take the focus back.
if (document.readyState === "complete") setTimeout(focusPanel, 0);
else window.addEventListener("load", () => setTimeout(focusPanel, 0));
const viewer = document.querySelector(".pdf-viewer");
if (viewer) {
  showDocument(viewer).catch((error) => {
    // The PNG preview and the download link stay: the page still serves its purpose.
    viewer.hidden = true;
    console.warn("PDF.js:", error);
  });
}
