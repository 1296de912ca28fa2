(question, authorities, yearFrom, yearTo, types, grades, k, judgement, judged, latest, region, neighbours, recs,
 view) => {
  // Keep the search in the page address, so a copied link reopens it and Back returns to the last one.
  const p = new URLSearchParams();
  if (question) p.set("q", question);
  for (const a of authorities || []) p.append("authority", a);
  if (yearFrom) p.set("from", yearFrom);
  if (yearTo) p.set("to", yearTo);
  for (const t of types || []) p.append("type", t);
  for (const g of grades || []) p.append("grade", g);
  if (k) p.set("k", k);
  if (judgement) p.set("judgement", judgement);
  for (const g of judged || []) p.append("judged", g);
  if (latest) p.set("latest", "1");
  if (region) p.set("region", region);
  if (neighbours) p.set("neighbours", neighbours);
  if (recs) p.set("recs", "1");
  if (view) p.set("view", view);
  const search = "?" + p.toString();
  if (search !== window.location.search) window.history.pushState(null, "", search);
}
