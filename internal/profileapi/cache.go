package profileapi

import "sync"

// CacheSize is how many documents the Profile API keeps in memory.
const CacheSize = 50_000

// docCache keeps the documents last read, by MPID, all from one committed
// run: Invalidate, called as each run commits, drops them. A document read
// before an Invalidate is not kept after it (the generation it was read
// under is gone). When full, an arbitrary document makes room.
type docCache struct {
	mu   sync.Mutex
	gen  uint64
	docs map[int64][]byte
	max  int
}

func newDocCache(max int) *docCache {
	return &docCache{docs: make(map[int64][]byte, max), max: max}
}

// get returns mpid's document if kept, and the generation to put a read
// one under.
func (c *docCache) get(mpid int64) ([]byte, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	doc, ok := c.docs[mpid]
	return doc, c.gen, ok
}

// put keeps doc, read under generation gen, unless a run committed since.
func (c *docCache) put(mpid int64, doc []byte, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if _, ok := c.docs[mpid]; !ok && len(c.docs) >= c.max {
		for k := range c.docs {
			delete(c.docs, k)
			break
		}
	}
	c.docs[mpid] = doc
}

// invalidate drops every document.
func (c *docCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.docs)
}
