-- One label-propagation round: each identity takes the smallest label of its
-- rows, each row the smallest label of its identities, then pointer jumping
-- (a row's label becomes its label's label). The last statement counts the
-- rows whose label changed; the round after that swaps the tables.
CREATE OR REPLACE TEMP TABLE lp_ident AS
SELECT e.i, min(l.label) AS label FROM lp_edges e JOIN lp_label l ON l.node = e.r GROUP BY e.i;
CREATE OR REPLACE TEMP TABLE lp_next AS
SELECT e.r AS node, min(li.label) AS label FROM lp_edges e JOIN lp_ident li USING (i) GROUP BY e.r;
CREATE OR REPLACE TEMP TABLE lp_jump AS
SELECT n.node, least(n.label, coalesce(j.label, n.label)) AS label
FROM lp_next n LEFT JOIN lp_next j ON j.node = n.label;
-- name: changed
SELECT count(*) FROM lp_jump j JOIN lp_label l USING (node) WHERE j.label <> l.label;
