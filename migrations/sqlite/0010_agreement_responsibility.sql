-- A party's responsibility on a role agreement's topic, written out next to its role. It is
-- part of what the party signs: the agreement's version hash covers it when it is not empty.
ALTER TABLE role_agreement_parties ADD COLUMN responsibility TEXT NOT NULL DEFAULT '';
