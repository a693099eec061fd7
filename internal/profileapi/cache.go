package profileapi

import (
	"sync"
	"sync/atomic"
)

// CacheSize is how many documents the Profile API keeps in memory.
const CacheSize = 50_000

// docCache keeps the documents last read, by MPID, each as the last
// committed run left it: as each run commits, Forget drops those it
// changed (Invalidate all of them). A document read before a commit is not
// kept after it (the generation it was read under is gone). When full, an
// arbitrary document makes room.
type docCache struct {
	mu   sync.Mutex
	gen  uint64
	docs map[int64][]byte
	max  int
	// hits and misses count get's answers.
	hits, misses atomic.Uint64
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
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
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

// invalidate drops the documents of mpids, or every document when mpids
// is nil or longer than the cache.
func (c *docCache) invalidate(mpids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if mpids == nil || len(mpids) > c.max {
		clear(c.docs)
		return
	}
	for _, m := range mpids {
		delete(c.docs, m)
	}
}
