from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Hand-written, PostgreSQL only (the models do not change): the listing keys (migration
# 28) also hold what a search looks in (name, hostname, IP address), with trigram
# indexes of their own, and an index by name. A search then finds its nodes, counts
# them and walks to its offset in these narrow rows, which heartbeats never rewrite:
# searching worker_nodes read the heartbeats' hot heap for every match (3.1 ms a call
# under dashboards). Sorting by name walks the keys' (name, id) index to its offset
# for the same reason. The worker_nodes trigram indexes stay while the previous
# release runs, which searches worker_nodes; a later release drops them.
#
# The trigger is replaced first: that holds off writes to worker_nodes until this
# commits, so the backfill below sees every node and misses no change. Without
# pg_trgm (migration 4) a search scans the keys, a tenth of worker_nodes' size.
_KEPT = ("id", "created_at", "status", "is_schedulable")
_SEARCHED = ("name", "hostname", "ip_address")


def _follow(columns: tuple[str, ...]) -> str:
    """The trigger function keeping `columns` of each node in the keys (migration 28's
    with its four, this one's with the searched three too)."""
    names = ", ".join(columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    sets = ", ".join(f"{c} = NEW.{c}" for c in columns)
    return f"""
CREATE OR REPLACE FUNCTION worker_listing_keys_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO worker_listing_keys ({names}) VALUES ({new});
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE worker_listing_keys SET {sets} WHERE id = OLD.id;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM worker_listing_keys WHERE id = OLD.id;
    ELSE
        DELETE FROM worker_listing_keys;
    END IF;
    RETURN NULL;
END $$;"""


def _update_trigger(columns: tuple[str, ...]) -> str:
    named = ", ".join(f'"{c}"' for c in columns)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return f"""
        DROP TRIGGER IF EXISTS "worker_listing_keys_update" ON "worker_nodes";
        CREATE TRIGGER "worker_listing_keys_update"
            AFTER UPDATE OF {named} ON "worker_nodes"
            FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION worker_listing_keys_follow();"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return f"""
        {_update_trigger(_KEPT + _SEARCHED)}
        ALTER TABLE "worker_listing_keys"
            ADD COLUMN IF NOT EXISTS "name" VARCHAR(253) NOT NULL DEFAULT '',
            ADD COLUMN IF NOT EXISTS "hostname" VARCHAR(253) NOT NULL DEFAULT '',
            ADD COLUMN IF NOT EXISTS "ip_address" VARCHAR(45) NOT NULL DEFAULT '';
        {_follow(_KEPT + _SEARCHED)}
        UPDATE "worker_listing_keys" AS k
            SET "name" = w."name", "hostname" = w."hostname", "ip_address" = w."ip_address"
            FROM "worker_nodes" AS w WHERE k."id" = w."id";
        ALTER TABLE "worker_listing_keys"
            ALTER COLUMN "name" DROP DEFAULT,
            ALTER COLUMN "hostname" DROP DEFAULT,
            ALTER COLUMN "ip_address" DROP DEFAULT;
        CREATE INDEX IF NOT EXISTS "idx_worker_listing_keys_name"
            ON "worker_listing_keys" ("name", "id");
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                -- fastupdate off, as migration 6 says why: a pending list made every
                -- search scan it until autovacuum merged it.
                CREATE INDEX IF NOT EXISTS idx_worker_listing_keys_name_trgm
                    ON worker_listing_keys USING gin (UPPER(name::text) gin_trgm_ops)
                    WITH (fastupdate = off);
                CREATE INDEX IF NOT EXISTS idx_worker_listing_keys_hostname_trgm
                    ON worker_listing_keys USING gin (UPPER(hostname::text) gin_trgm_ops)
                    WITH (fastupdate = off);
                CREATE INDEX IF NOT EXISTS idx_worker_listing_keys_ip_trgm
                    ON worker_listing_keys USING gin (UPPER(ip_address::text) gin_trgm_ops)
                    WITH (fastupdate = off);
            END IF;
        END $$;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return f"""
        {_update_trigger(_KEPT)}
        {_follow(_KEPT)}
        DROP INDEX IF EXISTS idx_worker_listing_keys_name_trgm;
        DROP INDEX IF EXISTS idx_worker_listing_keys_hostname_trgm;
        DROP INDEX IF EXISTS idx_worker_listing_keys_ip_trgm;
        DROP INDEX IF EXISTS "idx_worker_listing_keys_name";
        ALTER TABLE "worker_listing_keys"
            DROP COLUMN IF EXISTS "name",
            DROP COLUMN IF EXISTS "hostname",
            DROP COLUMN IF EXISTS "ip_address";"""


# The models as migration 28 left them (this one changes no model).
MODELS_STATE = (
    "eJztXW1T4zi2/isqvgxUZbqa0PTMTW9tVYD0TGZooCB0797JltuJFeLFkTx+IZ27O//96s"
    "h24hfZWMYJjltfINg6cniOLJ3385+DBTWw5b7pW9jxDnroPwdEX2D2IXmjgw50295chgue"
    "PrH4SB2G8Ev6xPUcfQoTzXTLxeySgd2pY9qeSQmMvSYYYdt02SyIzhBlf04pMUy4jw51RO"
    "CGQZekg3SCTOJ6OpliNptpYaODvDn7bGHsIcN0Hd/22EV4sEGn7MkmedjSM8ZER/+mEz6G"
    "PeWITcrndf3Jv/HU66GbwdXF8OoXtJyzSZDpIdNFPmGPnZnOAmb9OLyF+xSexG7PsWWMyY"
    "w6/HHhOJ1/Q89cYPY1jYVJTIDTo46LPGoZRx10O7i7vvw8uGDPwQTmwcTAxhvUj77AmMDX"
    "8uY6v+Wipe4iHU0s0+7wOdgP9v/Dd3+DbumS3XQwesS2h9hA+Cpz9kzqrN4Aqj4x//Sx5t"
    "EHzG45DNs//sUum+yZ37ALf/5x8Mj+grEhEvyjp3v4gI38I/wIU9kG+2RounfwL5jDftRm"
    "JsMgseRMPhO/rnkrm1+7vx9efOQjgc0TbUotf0E2o+2VN6dkPdz3TeMN0MC9B0ywA4+NrU"
    "fiW1a4cKNLwb/JLniOj9f/n7G5YOCZ7luwqg/+NmNc5WziT4If7/4efrXYME27uh5pd4OR"
    "ph1kXgL4Cqk1G15i6wA4bhIP0P3PX8G8G0D41QN4wPmv/dvDk/dHHALqeg8Ov8nhOviLE+"
    "qeHpByTm1QjjiWxPl8rjtinKPxKaTZF62CcXRhA/Jmp4jgiwDaAqQHC/2bZmHy4M3Znyfd"
    "Aog/928DlLscZco2tmC/uwrvdPktAHsDbuw1KItvjKSFEL9/VwLi9+9yIYZbQog1/rc8zm"
    "u6FoLdPT0pgTYblQs3v5fCO9rDSwMdEWwL4cy2vDOAj9+XwPf4fS68cCuJroE9JlPIwLuh"
    "qIRvCF4zF/DpcZkdmY3KRZjfSy1gkwldWYQvGEYga+Us4ogoBbIRUr2JPuzhplEA8Wj4aX"
    "A36n+6gekXrvunxaHqjwZwp8uvrlJXD9PrfT0J+jIc/YrgT/S/11eDtLCyHjf63wP4Trrv"
    "UY3QpaYbcUyiy9GlBHOZ3ByIlZL8jdPVwOKGvVVt4jCbilpPlZicIlV8bjKfZ5Zu2/DPZp"
    "h8RqmFdZLzIsfIUgyeMLptbc/rK7vl6tn19WWCoWfDUeoovP90NmBCCOckG2R6/PLwapSV"
    "69j/z9jhmVOsGb7giCwEXkivOCDBgZhRRHJjS1IqEaVxGxvYuGaPMfsLXJjo08el7hha5g"
    "7t0ryx2VuL7iJ9RSf6A2cSoAnfM7Le2ubveHUgsusGdzqFhl3b1B7xqqRp9+vCftT+Zjt4"
    "Zn77u/Y3F08d7P39a4+bFYPLaGaCURIuOHSJDnVigKHUndMlGGKRZbqee8RNsBmrbr3Tj8"
    "ndr/0fu6fvwUIMBMs52+oQ+2/ZXPQJu8j0wKwKF9gUDpuKLtDh8f+8RROTT+JSpDMoXDAT"
    "P2AXLL5jggn1H+b8OzkYCAllt7nBUHdWYHz1nFUH+cQyHzGjt3XXXVLHKG1u9V3MlTz2z6"
    "/tqWBo9bC+SF9XdtZXtbPK2qdabJc6fvu2jN3k7dt8wwncS56ewTsvg/CGoh6Mn1/He2yY"
    "YjufNtfduZSrIEbTwmW8BVv2lMIcGYh/u7u+ypG61xRpqY8dM+i//IzbFtCxXXnim5ZnEv"
    "cNPO81NmZAKCEARjAffur/I82B88vrs/QODhOcpdihWxZdstPTtKV4kiJTjKmdMQCYZpkL"
    "09Ns7GgLk/gin8SQeDmGoDz6FK/Y/7d/RiD2ddmvH7vH73569/PJ+3c/syH8e66v/FTAr6"
    "xair/ZJuNFBbU0SanMbU3TSpNm1Sf6WNGqGqdUXG40l6nH9cGZQxcySl+a7gXq3/5w91ll"
    "b4OrxRR/jSnjVd6fNK16g5r8Bm24ZdoyulCarn3O+vrVoZj1SvKdSlIqg3ijXykwVmpyRs"
    "gYSZ2WyOYyVeIsApuwJJwxEgUngzPjrkku1iy0H6mDzQfyO15xgIdhELkA0NDfMgqn2U9I"
    "N1c3h5KjL9e+hfj7yf539h/jwOl53r87718MDjILtgZI78NpWgpp7B0VQ5rvUoxDrT+IHP"
    "sh2cffb7HF0w7yYQ48hffRRC1B+6/tu10DyHJ9r2tEn3XAamsuPu+FvcUMdtdz0UI3MFqa"
    "3hzpgVsTO8jQVx3EDmpsIN8Gj+gCL6izQuAoXTqm52HuJ53o3nSOXe6UTPhg655c4PH8A5"
    "wI/MH6KnBhxvyfUh7NM/Mh1x4oPPoExr/wvWyuEygw/f1Pt3ty8lP37cn7n0/f/fTT6c9v"
    "1zbA7K0iY+DZ8BewByYkw8hAmO/pBFYJ5fWcAOZgeJGQvr8bjQhVELrTBu3wTZJbtnGqSp"
    "brSqC9bcHiTfo15YTlDYWSlYtl5XDrfqFctwlN2k9Mn5XsNgtKVrDbqtDiG6Y3IJ4jjhfb"
    "3C0WWWCcZtGHcuIK5OpyEiY1hLvbG/QllBYmeEYhjIoJHHMmRVhMyHB84qJDlyexTtnFB4"
    "ymOkFTuliYXkZeqXX2MfGJg6fUYRLOEZdqphZ12cxcDoJpIPHJd5E+87DzgUlGAHB00XQh"
    "2Zj6HpsMI588ErokY3IYRK/RKXZdZJhsNhCRsLfEmBy9QX3bxsT4kRJr1YMv5bAJMMIGPI"
    "0ykYuvHT4zBtZ8gPRfaxVEwLE7hLuEIXHZYbIYRLVBCjAl+eKXEriac2blC1zy9tFd2kV3"
    "yY82mUXZRkllDXlxmq366BrCVAmzaAANXkimV6bI2ue26Z6W8duwUQVJwhnPTYCaQy2pkN"
    "ckVfugrj8qU59GxjoJjMXmvRakY9fvgVwwSYhKlcfYULQw4vXnEvj+nAvvz5mQbd2TiieO"
    "xrcQ2a1kunu6w0T5ACcJmFNk7duH66/zEkImEtaexVkordWFcps246llMhUWRGgm5QlMpf"
    "lIZylbuIXUD3hoI5Fc1kmq9u0ex90yxyAblS/HdTNHYWBekkoziJG8KMWgYWDvOpcgMMgx"
    "XA2ZDIIUlcobyHpWZlCwcF6xGkuCVEXENs1O1ZR8dt+bj+YO9Tz+bwu8FLH7nWI/hTfXvP"
    "jQZ30VH3mB0B8t+mCCT8AnHnYQlPCEkpsQBXGoE6RP+Z0fXMRNSGCl11EgjqBQHDnKBlbU"
    "O/UL7PpCD15hwmd9wlWD0mlPSiUsnxQkLJ9ECcv5VnwoJus7Ihkg9xSKk7QmAKC2A2jJ/g"
    "m2lbGj2pE+gdK0KoRcnUHiM+iCTv0F23PPg21adAylhxSeREY4WAv3/ZLlVn6lS8S+44p9"
    "vcWEUQX1qLFjcn+wgVZYd9DhmL0mn3/svu2+Hx8cobkOjmjXx0YPWXT6CIWpTTJ1MDwfG0"
    "CXOZq29JwxCbzqXuRAB591BAVUtg4fFxZacagFByRwEDzzzgNGD2ZQpsUNhyK4uQ2/dv7x"
    "9wKNt8mnX11ui/yjL1gcEgffhkAdeyNRENbr7IXrYC7BJhgP9Mrf/aLy+yV3vRFEtviEMH"
    "yRawYF/nUow78e1YPa+E5Ug9+29Gmw4aA528iCiwZl5FkhvOa5a96FVIGmugs0xTkrGXYh"
    "IN0t/o2PvmASwhPUhZTENUG13XDb/cO0yXmT+4dmk9Mm9w9NaKojiWaMRIWuCVwUYk1kwL"
    "SdTCC9wFWxTadnVhwI2w9JCgARWW/Tvujm9vrz8G54fRVcjv01Jrf3V8Hl8MOYfOwPLwcX"
    "PRT8HpO70fXNDVwIP6RlvNcJ2nKw7soFbW0oWuhOfdst47iGYQXlILsZ57XqpJGI8nz7ro"
    "zXGoblx3nym6lT05GCOBzePnxr9BAkS8a6ti7qVlJcN3ZN1MYwlzI9jd7ntzR6n+loNLX9"
    "LMAfLarnGJ/C8SlsZ0Cwh+gWJape359dDtipOzjnp27S7s9vwqVNTfvbQf8yE0ELWd9ZfI"
    "uygzY0u7PutSRJKC40srvCYg8FyMeIFPSVoeeWQHBcZMHPD+dKEDWjZiw8tjU1Y4MOAXLF"
    "lTckiiG1MySwl1eIDksQqtiwpvnlU/kzGBqr+cQT6WLFfM4QK143mdeqWmO+GML+QeOaWK"
    "twBe4J28OXpZDrqmlV27gueNnXFdIaEWPwRM28EIPgVqc4woAPKhlg0IciZZwAHeoIRJ5f"
    "BkdhqK0DhTcQoR6/dzv4eH91cdQJI52gcAfEMFnYeMAOQ1AnbpB7iwSVSbbzmDGJIqjcN+"
    "gKP7EB4UvXQy62LOx0mGy5gl+e/o1HLlgmgUAuB6MptcP6I7oXPCyIvRoTS4dwZAcD+h0E"
    "hUTgm8IMYZEUC+sQixUP4WJzWvA6rKLvrfP7K7RkR7yKj2iO16mggRUPq5MyRa4pWhcTV3"
    "8K6aNJcoINn3fxRbRNNvdCROj18HzQQ+GHMTm/HVwMR0DErsb+aIabLraXykZZZChVNFAC"
    "Wrpk/3JBXvrzKz45Q6PX/WjQ/9RD8LMZ6zqATm5Fx2lU1cOmRA61MtaFy6WabLfMFFmTN4"
    "TKHvwyHuZugYe5m/Uwh7BVKKmQpWwh5qelMD8twPw0F/MnXbawQoawhYjXL1dzBVd6P0lS"
    "tRDorWwnAWrSNfZSZG1EextF9qa+42AylcrQjtO0EOcysUH5oUGZyCDXn3jU0wWLuTCIIk"
    "aloigqR1F4uqCbdxHuIYGCvDrk8otdrfRaVrrm6FIdjOMkbUK+tuIP3JGRBTQ/2GdNsPtQ"
    "n9dRyrcT1IMdkxrVam6kaVW4R3M8wFnHf8gtLPJalOIzFvosFJcbxeXAW1shuiNBqBoNNI"
    "3HDQnm+I2aZEQfMTkQhHNsbnaKAjr+zYZpHowrG9OBppbvQgwDkCJOCj1TdGMBdQcZtUcd"
    "3gTGZTcR++aM6R+QO6dLgiiZQiAEG4ENKGwzx0a2dMRWnqACJBrhqigIkJC0MbbYunhcyr"
    "p4XGBdPM5aF/lrpMEbIYNykqp1gSj1V322HTwzBaaXgrr8a4o2LuXaHfD4m22yXaWCUJWk"
    "VJJz06SqROoDW0S+K1XOM06iKkpnbTqScL4IykqbUpNLxCUrUDyxU7GKWpekVDtQk3cglZ"
    "CT/0LtZ2pGmYSciHcTgV84X+dLUm01Jq0p77NsX+PXsZBc8sSOflDr/UBgJUkO6BRZSoIk"
    "ES0sHF/aWrLULQt76BCCQA00WSEdQR25Hi/9a0PWCfsr6IAbRheEqSu2pXsz6iyiUvUiQ0"
    "l9k4/JmEDNzoX5wNYnWBLYS+MiSKcZnP+OvLnuoUeMbbgUPPUHF0316Ryeq1sQZgypLjD5"
    "hD7hMVmYxA8qCoc5OJa5ML1ekNeiM1R1wItQRgNddqnvIOgH0kFMHQLZg3f4fcKO4egzT5"
    "lwmvJidwpMOKrfQdjiqJT5pltgvulmzDetT3D50r+8HIx6KPg9JreDz4Or+0EPhR/gCiTv"
    "3fXCLL67Mbnp//PT4GqknV8O+rdBjbvUFV4D79P1aHh91b/UgiwZXgkvdS29t5YKSysVlV"
    "YQlJYxHjUis2M3MohK7Gh3JoIKr9x2eGUodWUBLgo4ixG1yEa244izQKDVuEArB3+asjXG"
    "tR1zwGJKfbiUKxhostTKFKdMccoU9/qmOAmzUczlyp7LMBI4N85Cyo+/32KLWzUEyyBhCb"
    "oJ5trDlfBXtPajq9GK2L59LQIt174WQ/VZ+1qcm8/b164JFEx5CLrLxCoH9HjA0AJMW+iQ"
    "8OIt/4cdegRWLWxA2BBYyCLjV7K8S9bQtrWnKJNWI9SWfJNWwFw5IW9D06bcgh1LeGv5bO"
    "aJyuaU0HE2pErTeYGms0eS105Nvu0SvOJMD88rSVtYkkqVOdmTekh7C25GVRBinQX6I3Ww"
    "+UB+x6uMJb1IMRgl59xPmDPKAbvs6Mu1dClYa+wDQwFHHQruRrfD89GBaL+oDeqYN76lMC"
    "f3yhyIXzNiIr7ac7W61CvxrGYXW1wS2h1UyORtjJnytWDq1IpBuqQQaLBgywtF6iJy/cUC"
    "mo0ypQt0sFI6XY1zK02uAWdCp0CTMw28sKkH/iVNMlBBQNq6oIWtVLR5iSf7RT7s3SgLB6"
    "PrG+3+poeC32MSlB7uhSWIo4iFKGBhTPoXv93fjSBAoYc2n5vh/1YO2207bB08wwAXLojw"
    "yIsbT1O2Ee3ai5dtYJMrFZemayHY9Se+MUGOysbPxGlU1PQr9zmttGAPtiUE7qCUpDJufi"
    "fGTeVV3i+v8hX7NXjC4oyNzc1Okc2B90PHMK50poaDp9QBv+0c65Y3Dxy9Jtd6ueMXphQl"
    "YZSmq9lGUOQDE56pAsdX+Mo0V0ndoduroDYFLCY50SZGsl1z/f6FBs8cuoA6ZZ6fUzP7ee"
    "NAaoomx7nfDK4ugtSE4MOY9M9Hw8+DHgp+jwlQ3w76F//sofXHMRleReOiT2Pyqc/W6uCq"
    "fwWNQGJ/NMOCwE7dl3E1MUGTla7viKn7oYbsTG8+PS5jpWCj8hWR44ydYr8Ukabo0k3SPH"
    "LDmBuSBw1C852+sPk/LRSpw7vPy9QuHyjhwHP0JfKwhRfYc1YoIP+ADglP9nXxn0fIdFGw"
    "3niLPCZP25a+Cmq4uZAhPOe+t6U5FYjfW3mCQFD/Iy7RsTkP/pUS3RMD2OJlt//gv5VMr2"
    "T6Pd1ipToP/Sm3mkMCFSJbOTjTE9mmiorN77ieU+sAn9q+ZmNnioXBThbV87L+knQpDsyA"
    "cA95UADnxfX92eUA3dwOzod3w7BQ+loW4zf5MfqnZUZRT/3LFNgLvKDOCiq6SR6TKUK13i"
    "uvd8N0HyswIEGm4H9BkqtuHEttNGsKtcWU2WIArlNpgE8VwDIAH8sjfKwgLoS4cUaFW2pZ"
    "vn1QaFoIx3RKGhg0h48vaWcIHuEiahlQ9GyuE15nDAwDDvaY3AXOuCVbAXTZQfoTWz/sP+"
    "IF0ib+9BELaqvVMuNzdoRgaMaUoCwGymKwp1uahMUgXPxSC3pDo+TKynLl0jQ8QROAXNDX"
    "49uEeW3VoGP28JJ4xigUosrM8roiegw0bSHqGVoO8IhWga5sW3txCCrblrJttW2LaZBdIL"
    "ct3eZm51lLgExbOqhdPsG6wxRwKLIICrpuQfwtVGCC2X5wg05xH4J641CY/O7X/o/d0/cQ"
    "HfCIbYERoK5JVXJwI3TPfNVeNUfbSY6YCnTLh75dKTeqX9ILN7MmMTk3ujHOZWUd3WZJI4"
    "BKIC7LFtj5Qp1H7FyFk+0nsM9W14ktq0RpnfP+3Xn/YvBalXWufW9Cv11gy3zCzkokG6dG"
    "FArIlI+F/w4GmzIBudO5Tgi2mOx6iBe6yZC2dOi2vMSTOaWP7hEKZ11Foi7Po+ugpenNuY"
    "zrYA8eKY7GrW966En0leBvHjsAPLyw4fdXEKwnFNLswB3HI35h8+dNjuDS1NLNRQ/p0VMC"
    "752HPP0RmgqNiUOXvPAPNCdiwyysu4x6zo7fThAdnCI02FdBC9P40cXsEWx4SGr4jOyBrc"
    "MxgabT/OHBZGyc+wYNPfiqsAjQ+v76P2d3ZtDMGtonHUYPNKDy0IxBho2jfP8hjpIfQ6AF"
    "kcjRHXifk/BJhiMrTaNuTSPGmrJqRoykhRk19Zf9CFe7jEsmTtKangy1OWTSe4ikFC8gV6"
    "J8k0V5S3c9DTsOFRRezt+mklQNTsmtuFFtpQbJ+uiv8F6ladVL1eSXKpDrKrA5Qah43GQe"
    "c9Fc0ggSp1FWkGIryFr1eaEZJFC011Vk9hPaZ+0g8ZXVPENIboGfFHOeNYHIFPm5owscJv"
    "uCaj9nkzPeM8V/6ZhMQCXIDMJ8XfaV4o1ekO4GxgWmij1gMFJgayYIGq51+qgls2mAuQDu"
    "83/1BxfFCtKyzz2e0TzFIAwED3ZxYKLgGc1r+wJYHcaE3QYrhceNEkfoke1lfGz4CP7V+H"
    "OU57IpO2KnyHO5kislGo1vcFndxrgrXX/ybzwVHDj58MZItqQBtQlgW19BWE8W4N/urq/E"
    "AMdI0rKwOfXQf5Fluls71GMbxsQ3Lc8k7ht47GvsGQBRQi6OgD781P9Hmgfnl9dn6c0FJj"
    "hLN0Ge8pLOVdSUFGn7imLuu6IiER2WsU+YogB3mTqYWddWS4TuZGZF4OLS6kLtSzBfG2Hb"
    "poJxo6+gq0euhpG4X6hi2MFIyUKitkOfmIjuMEk9dG1OgthAM6sKxLUALruzz+AIZAM83l"
    "5yrfOmqo7W/5AxYXoDO9nwDJqfMH1gXSjpkDrsj9gTIRgyWJNH3PEaKC7rUkr5zstoDhiw"
    "1k9flP+oVIq6VYo4j8rKvXEa5aQs4aTMNxXmg1xgKmwDyN3T0xIos1H5LWjgXtkWNK+jH7"
    "8ivselHFjHBQ6sY0GLH2prvi3b0jBOtNXGDw1RECTSoqnvTelCas3GSFq4bLfSmSq0l1YL"
    "Sk6Qqlj0pmi+NbR/2KZWcotn7P+Y52ZGJe4XaiVOMFIqPwoiM6mtQwnUkBxx8oLMJXRLPa"
    "6ggnhvEhcxvWDB9ICZvjCtlTj4s/5HKA9EIw6ofHUh4JWkBJAgUg0S0jKVykbbgfcBf7NN"
    "xoQKIkCSsoUSwJ6c+KWCciBbvwKPY2Qq6KrJ/FXphd8Dl1XqcP452S51LbV3OxqvsCAjCS"
    "Wp2heJzjSoUobS/D4//F5SGjJt4AtjXU77phylKUHVPqjflTFJv8u3SL/LGKT54pRTlmIk"
    "KkK4OEIYoMpCKx0gfB9Os5+QPhsZHFtQTQoMvsPOkznFBwLjWHSrU2QXc4NB5Sxi+aAqi1"
    "MD3vFOgcWJ/5Y4pKLxrbOJbMWj51r+gwy60fjWofv+pIzF6STf4nSSzfbbfK0MwiP8La/o"
    "YJKsBd3di1SUwT9GCe0kE9e61lAur69+iYang11ThacYMA80iKAru67jNO2Llj8tl8xakM"
    "uaXtxP2HGFCzsf4hhJCx3X9UP8sva62++tm5U2gia3ktvIQbqZrqht7sUA6mP2R4OLHtp8"
    "PqhyitbeNHdBiTe3VprthDJrKgS4qMJvmlQVmRVwpVyRWd9lekaApOClyc8xSdO9KNGkYe"
    "aNXWeUQNUPqP8kg3+cZvdJPi0Cn92iviO5+hNEaulXR1+5LPLPgxa7LGyjIteTlIrrTeG6"
    "wD+5TmFqQFzhHdFtd06FmU7re51Cu2k4SiKUMCKBEo46mlq+62EHah66iK0DH5KmoooCE4"
    "tOEHwvAzKUvrpzvXv6/is6ZIvDE6U21Tv9mIT+KWz0oG4C8cypbq1ncREjcDAvQwkzddBy"
    "bk7nCJKbXPhsYUiDokv+CCiUkFuZMWUj/uMg/NpaZH6ECpRE1WCs6ch+gf341VxwbcxXCI"
    "TFyjaJNXWTDUAH9zeX1/2LHgp+j8n55f3daHDbQ+GHZpgd0htOaUtniq7JrGiMLX+9m0tK"
    "eXG6Fsp4+yvTZUX5R3+CHYI97GoVjNti6vaFyNQfmE15DR0GpU9EVXzzTRcZQmU9eoH9ws"
    "VTB4doZrmQ394yRabqKWdahpr/J+kViCiUM6CyM8D1KFQnqoB9klCxoDoLuG4uc4ZuKNrn"
    "gd9CvTqsO9O5xkT5heDYzI8vSdO1QUbZdYTJk+maE9MyvZwYk+dV4eQMu3PR39wOPzNpW9"
    "KEE5H1UPhhTG7uzy6H5+wC/z0m91eXwzvun48+NUNN5hY/rVqSpYi2ltelSXFv9W9MgFoV"
    "l0iCUCVoNVlZtk1CsKibMqUW1omYvxuiFHMnjGpbctX6ym45enZ9fZlg5tkwfa7cfzobsM"
    "2Mc3HT3TcrSO2XZ3mnO9l+uhgbXrrkzp/EuZF1M8bvdwpdjbGRKk+j5X42D+sL2cpgGxJV"
    "FWR/Egf3D80wV0wS0CSVwjRTL9+gCzaplEYVJ1I5RM/6HfcvB+BmcHUxvPpF2sAQkPVQ+G"
    "FM0mkBN/27kXZxDzaI8NOY3N3fwXiwOqw/jsl5/+p8cHkJV9cfx2Twj5vhLVwLPzTDPMHL"
    "6BNPs7FjUkNjHHPkxfycOZTDudE6dIptmAgOJynGhzO0T89rE9cxecqyOd/JHQ5X3U+Kbf"
    "hVAvbhyLSqdWlM0ypjZZNfuYBbjFWFW22h6TJvCmXIlDBkur5rM9zYWzORys1O07XBY7lt"
    "uTLIapwyTB8Ybj7xTEEX+udqIgqnUHtdk/e6kGm6Iyp/UBT4kiJsTRzXjqNe9stZoxLCnn"
    "/tVBrg98j1pqcBxjxruZ3PsoM6Zb11Uj3QIIcvbGbMM/jiE/3gIrBCMqql6c3Rcr7iLcSW"
    "c/oh3bcMPEsT3cVpw1zd849JpkPaQn/E8abMHeRS/ufchIDQFSIY2i0bJjskHWi3zB8GAx"
    "y6LJ0imAA4cCpE/dBK+y2LjnChn0Jwcoc7WnON6js8ufP9mQJulXYcZUlVKc+UoDRz6EJ7"
    "mXsjNUWD1cLv1r3BDs+X8TgxQZNTFb9bFjP5zpXLldtQNJmhFU05p6WqdJ4WVOk8zVbpZL"
    "IKlQ0HidNsNYt9Dw8feT2ttfrZ/upjjQqaHGF9cSDQwfj1QrULguBUcGTLgyNft4h1ow7I"
    "rZSxtrHDRApd4OMozkiIkSlXXmtzEtSBKnGgKrv2d8FmCbkpJjfbpvaIVwJt/iyk/Pj7Lb"
    "b0nOL1oUzUt83f8Wp/eZ7puJJ4Z0zyZAZtbl8IE4iOw/VkbYVrgRcTdgq/HKpPfKK2wrTE"
    "kzmljy/E6UswS5tA2rZSF3sDc9S75DtarOhpqd3heedaH7kMFwv/6MNd3ouW/Y0286CFbl"
    "rYQB5FOkFh/csPvAE3z1xHQUkTBAns2Mg28t7GA8p4w7xQM8YwvaqS+coKasCFDND5Guqa"
    "oIUqave0TFEENqqg5WKmLILD9NCqXpCItslYH1x/uYIimfwXdOz4PLi8voEr649jcja8vO"
    "ROkvDDmHweDr7AoOB3M1waqiX7TgqF8CMmJxq4YIdPUCnPhjLMfCcaeyKLCMQ07FZgc5JS"
    "sbnRbNanU2xXe51TpCpqv8l8NvDUMkklPqdIFZ+bzGcHPzEhsQqbk5SKy03mcpMr4TSFqd"
    "Wbvkd2oyS00k3fo8CM/YT02abvsQXVpKbvMUN9jjV1Y8Z/xpIacxzUGzmzMU1CRaXAMqki"
    "aZpiqFRmtL0xo/2bVpRpE4RKRVXCzp4ztSV1//YETiU7blt2TC/YGiC9d1sVu5GGNPaONk"
    "ocp/a9fSCSxPmNYiGc2ppvl4xi+EQJXkFzT9/16AI7yNVNAxJoV2hpWhay9RUySYddcaj/"
    "MGcjbYc+mQZ2PqCpgw3w+CDKVlCH/UQM7pnpLLKxDNt7jIqwb8DOXqQX0CVDJQCsonaQnK"
    "HROsJo0P/UQ/CzGZJ+AJ3cQo/TqNq6+yMF7h+a+kLc1K6olsKGRrUAE6WSlCuGxOuTTqWK"
    "vcVpmrwHV4yiKVMhOr9AdKY+dCS+yCAcp2kjwt0yEHfzMe6qItzrEgbn11cfh7efeCGC6O"
    "OYfOwPeW2C4HdzCxPMMGwlUomXCaLWxfDV/26Y8DR/mpPukt+FME3Xio2oyK67jTaE0U6u"
    "sVVb5QSI6NrW0657eloqfvu0IH77NLudGKYDDad9RypQPk3X4DJFVeF+++7nMnizYfmA85"
    "upMOxNmTZZD0OGUsUJp0TzwLYlHX2dplO45uFaIQI7RauivJrs+NyvSHvVlnHf2zLeQ4Hu"
    "X6kvjJza3OwU+WyCIt9zNq6k3+YLVEelBKdrrpqhtovm7LujGXX4IJgYSrQudctCsHZ7PE"
    "uUwY+dJz0gzfhs6n8EU1tv7tHhwrQsc0rZraMOWuAF1HGF2rCQrspgQIefzLMjtGBL37Qt"
    "ExtosuIlXV3M1rPBvoAXPJpdW4zJIVvd+AE7Lq8N6/oLF+kORvgbw+/oDeobBk+R7YSlYh"
    "0cVp/twLRYn87ZV/AwT611PWznOZWEVWLhn35ZHJoqG1uvjVOVjX0l+SraFSShTZEpWFOw"
    "zsOjQ0aMiWhUgF6z5VTb19ZHoRYebnInRO4UqktINcdYII0wTCfVGCKmV9yoxo1QIKzOjp"
    "wJFD/K86MxSpY4MyUKTyxSrbaSjKKCzJoUZKbKuG63jOtrVyFqlA9rCzWIbN11l5RtkrK1"
    "bTKELVzR2/EaNjhdLbtF39+FuWMSQSNA00Pwc0z6F5+GV8O70W1/dM0uJv5MG/5eJyjEdD"
    "XwCz4JmFJYKTpBt7VS0RmORBf2tlA036C1J+yY7EGyXXezxDss0r330LvYdcGSyPBzTVGH"
    "lnx9Jku5O13meFubfaDLdI/f/fTu55P379YqzPpKkeaShdfSXU+z6INJKrgAM8TK19toG5"
    "ry9X4fvl5V/L7NXBe867JNXVUtfJmq5Q6eMc7MNV4a9YVI3QZzjWCqtuIV1rSZm7YqiP8c"
    "VLwoeS0rC4y7rVtW27aSB4DlmMrXaBbby2PckyuEDzE6DvbilekRTIgOubIYxPFw7bHDQ4"
    "M8fiEyYh0VF8F/6eRjMiZwNvLApLtf+z92T98j00WP2PbeoDsbEw9ighihB9FAX9ncICp8"
    "/cAGuT5c0hHBSxwEPNEZTD8mLkMZ2b7Djjv2DdkkRtCwmloGdkoX3Y9niQZzwceYkKrq8L"
    "+uhyHGlSomwxh5ky20B58Ht8OP/9QGn/rDyx6K/zUmtwOguunf3X25vr3ooeTfzTAjqgrx"
    "ApjrrxCvylxX2X4arnIJNG23mprtqlSJveCvMp99D1xuctGSpry61UvXqTprIjW3sx911q"
    "K+ewJ1OdaSL19Zjnf/K6MpQwW/H1zElESbMrB6gcr6xDRPntay1NmHDoIFGCi4oKne314y"
    "JfiBsCtL05vza4EmLFKXa34C6Myj+Vr1DrVl9qcOKvjhV/jAnv3mjt8/o9++HnUQoV7YdK"
    "4Hj3ZWiAFn8g9sguBJYxI+6g0a8nndOV2SsMbbco5J8MXDfwMGLHQDyzexI8AqQ6nPr6w+"
    "S+bmvyQlv2lb5G5y8uNfTgLoFNnuAD/Y1vpNw10mGrJbEA3ZFURDwnYaTpXB+re766sc1T"
    "dJlhaazamH/oss091aBEdsI5n4puWZxH0Dz3uNvQRgSgjQmbor6RIrqU0HJkjXXQlOKS04"
    "nWRYkyHcPXNeR+7dChuiQzfDgOKgsg2ViiYrH002002QwDTXFFbUKlbjM8TKXtNkTd4wXf"
    "6OaA7WXcmDPkvavoJHJ6VO+5OC0/4ke9rvl5FMvVsV3y0VVfZdsFm1RVF9PF7bGPqCHnBx"
    "hZ+b1EyRDioTZBXaOS9CC12LYN9qqFUIW9/z8ML2DvINyNGITgk7MjtC+OCS9uRrgtk/uk"
    "K6h3QUTrE2tXaQ7nJLrkUfuHEV/upx02oHsT/ZdfIAplZGPYUYJsAla1HewjPApvwlKMK0"
    "Ke3Elo6D9JnHfvKiTOyZH8KSTUH7j9KmXyO2kkM8Jc2/qigT3NtFUSZ983KUTIGKUbSpAU"
    "Bt2U8VGpIrsbX5YmtQrJ5xzRDYeArqnySoKr0wTVP4a88W9KCrhbYQiFG5uCaJ1D4kwJWt"
    "fZs9QbLG/4amfcap47fdMnGYMKygNEc3G4vpOFSqz8iaoH0Yn5YyAJ4WGABPswbASKCUNB"
    "ukyJTpoNh0EBfbX2g+aK9K20lZElJrrIGhVWsm5GvIcT49ryIn7R7llGTuef/B3YQheZTn"
    "8CSjpKjvTei3zaAgw2et9E7nOiHY6ghV5FqfEMZGccUYtOZgT3F5keSppZsLFx1+jSZ5E8"
    "KHna8Iai1jF02oNz/q8FgqZGNnTNZhVB5o4jwGbBMXll/xmN+Gu+EXzJQ6/uOA4G9eZLXg"
    "aUod9Md6eEdlMDUoBCtuW5JTtttVNLE2ETe99jO4FuvdAnLlfW+yDs5rw0hL20kqJXLLiN"
    "yV3LFpWvVSNfmlmgXlAuTZnCBUPG4yj1UEzXfB5iC+WU6Yj9MoC0nqFIxUXjlIk1QK1GKz"
    "01rHfaHN6Zqr9oNotv2E9ll7U/x1FRubBOu3Potei5FNvrXVw4IihdKiD1ncK8QFxcJXWo"
    "L8dsOCqPOInStwuIoMnpu7nUJbJx/HDlqjpJUzH5QyETNJKYutQG7F2/RHz95XprxXNeW9"
    "bruDBlW26Z6elEnvOz0pKA1/kjY+zBkzZBGO07Qxa3UbOJs2aBds1QtM0vlIJ6laiPW7Mt"
    "0O3uU3O3iX6XUAbcJ4v00J03+CRkW4CMz/gJDuTOemh6ee70htFyLaFi7lk26ZdKxufjZW"
    "N1vfzdMtLWizJpBvCwJ305RtWtM77ssWQBk2V6vChRipYkNlNlTdfNTGU2HjoTagwXOlVy"
    "5TiWUAF9G2EPTjbpnKJmxUfnhjN1PXZKOFZtF+vuzqhnqHlU1uBlcXw6tfJFXKiKyHwg9j"
    "0j8fDT8Peij4PSZAfTvoX/yzh9Yfx2R4FY2LPo3Jpz7bLgZX/atzdjn2x0EVttZepDUMS5"
    "dPYs8QttCdflxm62Kj8t3px5nNK8oDmOvkoZIfTjiBcro22Rtn8vfEEEnJz/RTW5PtsAzL"
    "+sre1mFhwLnTOTb8AAdp1FPEqpVdaeRh/7SpqDd0fp/uGMkOO6gd70to49R3HPD0ScKaJl"
    "MxoxmdzbLolDtTprYvcIxaVM+LxU1TpsCdAem+wVuA3cX1/dnlAN3cDs6Hd8OwStn6hOU3"
    "kxsDE4cvc9GuYjESUbdmRe/aVrHGspLZSEiueFGNF9Abx3mqsAWlCdUO9OwOtIasygYkIF"
    "Zr/oVrvtL2I6JWnHghJyRlywxdaxhQYy2DSRhJlMQ0v+7thqIZ1Yjhsa2pRsw2CqYLyTMl"
    "TadYUztrvODJEkzZUDSDHa2q2/3oTyDaNd7XvqxLQEDaPqdA/Q3c2ONgRWNHc3wSGetLR6"
    "+IiNuH+lb8mY/YIdiqtNIzlAryUpBTVzMXQpm/wGUfo1Ewl4KZJzrPse54EyzvYcxSK/di"
    "k92LEb8sb65N53gqyPIpx/DEBIrnTeY5RK3a2JmKM+by7YYpuopmw/1hbB2Gw8Dkp0ErVT"
    "lbVYqwRTUfd2yoMkz3sQL+CTKFflX02aZgHEvtMmsKtb+U2F8ArVNpfE8VvhL4HssDfKwQ"
    "Loswe5phwneSsuMlqZQtb0tW7wr2jQxh+/Tu+tMSuBbl4j/lZJQ4VWvcaDsWUCA5Xwv7Rk"
    "KzY5mlLqJt32rfgtVaFZLKhR6itq+JtQpXxZ7YHcIFrDqzfVdcF1ib1pVZMgWqn6t449FH"
    "LJIBZYrdQEmWEcyzh2vgVerc9LFjTucHgho34Z1OUX0bfTNmm5VtpKrUfC8dn14YbZRflK"
    "aCyP9SYb9pr2K6aEqZSh5sVEHRlEwtD3ipJBAOh7cQ3eNSdYePC+oOHwt6/VLiCb0bhQYF"
    "T+zYUE3jn7MbSJz39R9mf/0/FbkJJQ=="
)
