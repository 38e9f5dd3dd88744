package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/peterldowns/pgtestdb"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

// Instances started at once each migrate at start: the migration lock makes them apply every
// migration once instead of failing on each other's tables.
func TestInstancesStartingAtOnceMigrateOnce(t *testing.T) {
	t.Parallel()
	db := pgtestdb.New(t, storetest.Config(t), pgtestdb.NoopMigrator{})
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = store.Migrate(context.Background(), db)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migration %d: %v", i, err)
		}
	}
	var applied, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied == 0 || applied != distinct {
		t.Fatalf("%d migrations recorded for %d versions", applied, distinct)
	}
}
