// Every theme's id and name: the choices of the workspace's theme filter.
// @order name
MATCH (t:Theme)
RETURN t.id AS id, t.name AS name
