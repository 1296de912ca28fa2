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
  };
  window.addEventListener("popstate", () => window.location.reload());
}
