-- A database of Etäpiste's first release (store schema version 3, as of commit 766f423),
-- dumped with sqlite3 .dump: Nurmes kiosk 1 (active), Lieksa kiosk 1 (revoked), agent aino and
-- operator olli, one answered, rated and wrapped-up call. tests/deploy/test_upgrade.py starts the
-- current server on it. Test credentials only (see that test).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL);
INSERT INTO schema_version VALUES(1,1796294139.821730852);
INSERT INTO schema_version VALUES(2,1796294139.8220057487);
INSERT INTO schema_version VALUES(3,1796294139.8241314888);
CREATE TABLE agencies (
        id TEXT PRIMARY KEY,
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
INSERT INTO agencies VALUES('dvv','Digi- ja väestötietovirasto','Myndigheten för digitalisering och befolkningsdata','Digital and Population Data Services Agency',1796294139.8310434818);
INSERT INTO agencies VALUES('migri','Maahanmuuttovirasto','Migrationsverket','Finnish Immigration Service',1796294139.8310434818);
INSERT INTO agencies VALUES('mml','Maanmittauslaitos','Lantmäteriverket','National Land Survey of Finland',1796294139.8310434818);
INSERT INTO agencies VALUES('vero','Verohallinto','Skatteförvaltningen','Finnish Tax Administration',1796294139.8310434818);
INSERT INTO agencies VALUES('ulosotto','Ulosottolaitos','Utsökningsverket','National Enforcement Authority Finland',1796294139.8310434818);
INSERT INTO agencies VALUES('poliisi','Poliisin lupahallinto','Polisens tillståndsförvaltning','Police permit services',1796294139.8310434818);
INSERT INTO agencies VALUES('oikeusapu','Oikeusapu- ja edunvalvontapiirit','Rättshjälpen och intressebevakningstjänsterna','Legal aid and public guardianship',1796294139.8310434818);
INSERT INTO agencies VALUES('te','Työ- ja elinkeinotoimistot','Arbets- och näringsbyråerna','TE Services (Employment and Economic Development Offices)',1796294139.8310434818);
INSERT INTO agencies VALUES('kela','Kela','Folkpensionsanstalten','Kela – the Social Insurance Institution of Finland',1796294139.8310434818);
CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at REAL NOT NULL
    );
INSERT INTO sites VALUES('nurmes','Nurmeksen yhteispalvelupiste','Nurmes gemensamma serviceställe','Nurmes joint service point','Pohjois-Karjala',1796294139.8310434818);
INSERT INTO sites VALUES('lieksa','Lieksan yhteispalvelupiste','Lieksa gemensamma serviceställe','Lieksa joint service point','Pohjois-Karjala',1796294139.8310434818);
INSERT INTO sites VALUES('kitee','Kiteen yhteispalvelupiste','Kides gemensamma serviceställe','Kitee joint service point','Pohjois-Karjala',1796294139.8310434818);
CREATE TABLE kiosks (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL,
        revoked_at REAL
    );
INSERT INTO kiosks VALUES('kio_f7baf3e44c182231','nurmes','Nurmes kiosk 1','117dba07a4005281f97efe651f9df9ef000f28e567a19f94ca8b7480e18cf5aa',1796294139.8322327137,NULL);
INSERT INTO kiosks VALUES('kio_d1227592a4cc1b9a','lieksa','Lieksa kiosk 1','a843a51c5d7e9dcc851ed5fd3b15ceecaa3d7eba83f344e1afc4e33d26042cbe',1796294139.8323335647,1796294139.8323805331);
CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'operator')),
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        disabled_at REAL
    );
INSERT INTO accounts VALUES('acc_7501ac010c443991','aino','Aino Virtanen','agent','$argon2id$v=19$m=65536,t=3,p=4$efXobbkYIxX496pMB8MtnA$YZIPT2OEgPWM1F4iUgZfUyvkbhJ28vb3w1DChyTVBqU',1796294140.0851483344,NULL);
INSERT INTO accounts VALUES('acc_a2ecd958bfe88f98','olli','Olli Operaattori','operator','$argon2id$v=19$m=65536,t=3,p=4$QD9fbVOMOrFvKZbux4MiIA$oQreka/pqU3s5PGuIWs6w9no9kvreBxB8v/QTFHRxkU',1796294140.2536091804,NULL);
CREATE TABLE services (
        id TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL REFERENCES agencies(id),
        name_fi TEXT NOT NULL, name_sv TEXT NOT NULL, name_en TEXT NOT NULL,
        languages TEXT NOT NULL,
        max_queue INTEGER NOT NULL,
        default_handle_s INTEGER NOT NULL,
        hours TEXT NOT NULL,
        tz TEXT NOT NULL,
        updated_at REAL NOT NULL,
        retired_at REAL
    );
INSERT INTO services VALUES('kela.benefits','kela','Kelan etuudet','FPA:s förmåner','Kela benefits','["fi","sv","en"]',30,600,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","15:00"]],"mon":[["09:00","16:00"]],"thu":[["09:00","16:00"]],"tue":[["09:00","16:00"]],"wed":[["09:00","16:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('vero.tax','vero','Verotus','Beskattning','Taxation','["fi","sv","en"]',20,720,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","16:15"]],"mon":[["09:00","16:15"]],"thu":[["09:00","16:15"]],"tue":[["09:00","16:15"]],"wed":[["09:00","16:15"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('dvv.population','dvv','Väestötiedot','Befolkningsuppgifter','Population information','["fi","sv","en"]',15,600,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","16:00"]],"mon":[["09:00","16:00"]],"thu":[["09:00","16:00"]],"tue":[["09:00","16:00"]],"wed":[["09:00","16:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('migri.permits','migri','Oleskelulupa- ja kansalaisuusasiat','Uppehållstillstånds- och medborgarskapsärenden','Residence permits and citizenship','["fi","sv","en"]',15,1200,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["08:00","16:15"]],"mon":[["08:00","16:15"]],"thu":[["08:00","16:15"]],"tue":[["08:00","16:15"]],"wed":[["08:00","16:15"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('poliisi.permits','poliisi','Passi, henkilökortti ja luvat','Pass, identitetskort och tillstånd','Passports, identity cards and permits','["fi","sv"]',15,600,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["08:00","16:15"]],"mon":[["08:00","16:15"]],"thu":[["08:00","16:15"]],"tue":[["08:00","16:15"]],"wed":[["08:00","16:15"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('te.employment','te','Työnhaku ja työllisyyspalvelut','Arbetssökande och sysselsättningstjänster','Job seeking and employment services','["fi","sv","en"]',20,900,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","15:00"]],"mon":[["09:00","16:00"]],"thu":[["09:00","16:00"]],"tue":[["09:00","16:00"]],"wed":[["09:00","16:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('mml.property','mml','Kiinteistö- ja lainhuutoasiat','Fastighets- och lagfartsärenden','Property and title registration','["fi","sv"]',10,900,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"mon":[["09:00","16:00"]],"thu":[["09:00","16:00"]],"tue":[["09:00","16:00"]],"wed":[["09:00","16:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('oikeusapu.legal_aid','oikeusapu','Oikeusapu ja edunvalvonta','Rättshjälp och intressebevakning','Legal aid and guardianship','["fi","sv"]',10,1800,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","11:30"]],"mon":[["09:00","11:30"],["12:30","15:00"]],"wed":[["09:00","11:30"],["12:30","15:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
INSERT INTO services VALUES('ulosotto.enforcement','ulosotto','Ulosottoasiat','Utsökningsärenden','Debt enforcement','["fi","sv"]',10,900,'{"closed_dates":["2025-12-24","2025-12-25","2025-12-26","2026-01-01","2026-01-06","2026-04-03","2026-04-06","2026-05-01","2026-05-14","2026-06-19","2026-12-24","2026-12-25"],"weekly":{"fri":[["09:00","15:00"]],"mon":[["09:00","15:00"]],"thu":[["09:00","15:00"]],"tue":[["09:00","15:00"]],"wed":[["09:00","15:00"]]}}','Europe/Helsinki',1796294139.8310434818,NULL);
CREATE TABLE agent_skills (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        service_id TEXT NOT NULL REFERENCES services(id),
        PRIMARY KEY (account_id, service_id)
    ) WITHOUT ROWID;
INSERT INTO agent_skills VALUES('acc_7501ac010c443991','kela.benefits');
INSERT INTO agent_skills VALUES('acc_7501ac010c443991','vero.tax');
CREATE TABLE agent_languages (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        PRIMARY KEY (account_id, language)
    ) WITHOUT ROWID;
INSERT INTO agent_languages VALUES('acc_7501ac010c443991','fi');
INSERT INTO agent_languages VALUES('acc_7501ac010c443991','sv');
INSERT INTO agent_languages VALUES('acc_a2ecd958bfe88f98','fi');
CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        revoked_at REAL
    );
CREATE TABLE queue_entries (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL REFERENCES kiosks(id),
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        enqueued_at REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'in_call', 'done')),
        resume_token_hash TEXT UNIQUE,
        updated_at REAL NOT NULL
    );
CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        entry_id TEXT NOT NULL,
        kiosk_id TEXT NOT NULL REFERENCES kiosks(id),
        site_id TEXT NOT NULL REFERENCES sites(id),
        agent_id TEXT REFERENCES accounts(id),
        service_id TEXT NOT NULL REFERENCES services(id),
        language TEXT NOT NULL,
        queued_at REAL NOT NULL,
        offered_at REAL,
        answered_at REAL,
        ended_at REAL,
        outcome TEXT CHECK (outcome IN
            ('answered', 'abandoned', 'cancelled', 'refused', 'transferred', 'failed')),
        end_reason TEXT,
        disposition TEXT,
        wrapup_note TEXT,
        quality TEXT
    , rating INTEGER CHECK (rating BETWEEN 1 AND 5));
INSERT INTO calls VALUES('call-release-0.1','entry-release-0.1','kio_f7baf3e44c182231','nurmes','acc_7501ac010c443991','kela.benefits','fi',1796293440.2538144588,1796293540.2538144588,1796293550.2538144588,1796293840.2538144588,'answered','hangup','resolved',NULL,NULL,5);
CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
INSERT INTO audit VALUES(1,1796294140.2543120384,'admin:cli','kiosk_add','kio_f7baf3e44c182231','{"site":"nurmes"}');
CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        kiosk_id TEXT,
        service_id TEXT,
        raised_at REAL NOT NULL,
        cleared_at REAL,
        acknowledged_at REAL,
        acknowledged_by TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
    );
CREATE TABLE kiosk_health (
        kiosk_id TEXT PRIMARY KEY REFERENCES kiosks(id),
        at REAL NOT NULL,
        health TEXT NOT NULL
    );
CREATE TABLE service_overrides (
        service_id TEXT PRIMARY KEY REFERENCES services(id),
        weekly TEXT,
        max_queue INTEGER,
        updated_at REAL NOT NULL,
        updated_by TEXT NOT NULL
    );
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('audit',1);
CREATE INDEX kiosks_site ON kiosks(site_id);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX queue_entries_order ON queue_entries(state, priority DESC, enqueued_at, id);
CREATE INDEX calls_queued ON calls(queued_at);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX audit_at ON audit(at);
CREATE INDEX alerts_open ON alerts(cleared_at, raised_at);
COMMIT;
