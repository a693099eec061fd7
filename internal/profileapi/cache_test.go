package profileapi

import "testing"

// TestDocCache: a document is kept until a run that changes it commits
// (every one, when the run does not say which); one read before a commit
// is not kept after it; a full cache stays at its size.
func TestDocCache(t *testing.T) {
	c := newDocCache(2)
	_, gen, ok := c.get(1)
	if ok {
		t.Fatal("an empty cache has mpid 1")
	}
	c.put(1, []byte("one"), gen)
	if doc, _, ok := c.get(1); !ok || string(doc) != "one" {
		t.Fatalf("mpid 1: %q %v", doc, ok)
	}
	_, gen, _ = c.get(2)
	c.put(2, []byte("two"), gen)
	c.invalidate([]int64{2, 99}) // a run changed 2 (and 99, not kept)
	if _, _, ok := c.get(2); ok {
		t.Error("mpid 2 is kept after a run that changed it")
	}
	if doc, _, ok := c.get(1); !ok || string(doc) != "one" {
		t.Errorf("mpid 1, which the run did not change: %q %v", doc, ok)
	}
	c.invalidate([]int64{7, 1, 9}) // more MPIDs than the cache holds
	if _, _, ok := c.get(1); ok {
		t.Error("mpid 1 is kept after a run that changed it among more profiles than the cache holds")
	}
	_, gen, _ = c.get(1)
	c.put(1, []byte("one"), gen)
	_, before, _ := c.get(2) // a read starts, then a run commits
	c.invalidate(nil)
	c.put(2, []byte("two, as before the commit"), before)
	if _, _, ok := c.get(2); ok {
		t.Error("a document read before the commit is kept after it")
	}
	if _, _, ok := c.get(1); ok {
		t.Error("mpid 1 is kept after the commit")
	}
	_, gen, _ = c.get(3)
	for m := int64(3); m < 10; m++ {
		c.put(m, []byte("x"), gen)
	}
	if n := len(c.docs); n != 2 {
		t.Errorf("the cache holds %d documents, want its size 2", n)
	}
}
