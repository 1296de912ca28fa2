() => {
  // Run once when the page loads. Each tab keeps what it shows in the page address (app/ui/address.py),
  // so a copied link reopens it for a colleague; Back returns to the previous one (the page reloads).
  const same = (a, b) => a.length === b.length && a.every((value, i) => value === b[i]);
  window.ofstedQa = {
    // Set these parameters (a list repeats one; null, "", false or [] removes it), leaving the others.
    keep(updates) {
      const params = new URLSearchParams(window.location.search);
      let changed = false;
      for (const [key, value] of Object.entries(updates)) {
        const wanted = (Array.isArray(value) ? value : [value])
          .filter((v) => v !== null && v !== undefined && v !== "" && v !== false)
          .map((v) => (v === true ? "1" : String(v)));
        if (same(params.getAll(key), wanted)) continue;
        params.delete(key);
        for (const v of wanted) params.append(key, v);
        changed = true;
      }
      if (changed) window.history.pushState(null, "", "?" + params.toString());
    },
    // After a search, bring the first result into view when it is off screen (below the filters on a
    // laptop's screen, or on a phone), so a search never looks as if nothing happened.
    showResults() {
      let tries = 0;
      const look = () => {
        const first = document.querySelector("#oq-results .oq-card") || document.querySelector("#oq-results .oq-notice");
        if (!first) {
          if (++tries < 40) setTimeout(look, 50);
          return;
        }
        const top = first.getBoundingClientRect().top;
        // Scrolled when less than about a passage's first lines would show.
        if (top < 0 || top > window.innerHeight - 200) {
          document.querySelector("#oq-results").scrollIntoView({ block: "start" });
        }
      };
      look();
    },
    // A chip's action (app/ui/reading.py), waiting for the hidden "search again" button's event.
    reading: "",
    takeReading() {
      const action = this.reading;
      this.reading = "";
      return action;
    },
  };
  // A chip above the results: remove a narrowing, put one back, or choose a "did you mean" name. Its button
  // carries the action; the search runs again through the page's own (hidden) button.
  document.addEventListener("click", (event) => {
    const chip = event.target.closest("#oq-results [data-reading]");
    const again = document.querySelector("#oq-reading-go");
    if (!chip || !again) return;
    window.ofstedQa.reading = chip.getAttribute("data-reading");
    again.click();
  });
  // A suggested name on the Authority tab ("did you mean ...?"): open its page, keeping the address's other
  // parameters (the link's own address has only the tab and the name, for a new window).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#oq-authority-page a[data-authority]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const params = new URLSearchParams(window.location.search);
    params.set("tab", "authority");
    params.set("la", link.getAttribute("data-authority"));
    window.location.assign("?" + params.toString());
  });
  window.addEventListener("popstate", () => window.location.reload());
}
