from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Hand-written (aerich cannot express it): trigram indexes that serve the worker
# search, which tortoise writes as UPPER(CAST(col AS VARCHAR)) LIKE UPPER('%term%'):
# PostgreSQL plans that as upper(col::text), the expression indexed here.
# pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner may create
# it; where that is not allowed the search still works, by a table scan.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm not available: worker search will scan';
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_name_trgm
            ON worker_nodes USING gin (UPPER(name::text) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_hostname_trgm
            ON worker_nodes USING gin (UPPER(hostname::text) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_ip_trgm
            ON worker_nodes USING gin (UPPER(ip_address::text) gin_trgm_ops);
    END IF;
END $$;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
DROP INDEX IF EXISTS idx_worker_nodes_name_trgm;
DROP INDEX IF EXISTS idx_worker_nodes_hostname_trgm;
DROP INDEX IF EXISTS idx_worker_nodes_ip_trgm;"""


# The models as migration 3 left them: this one changes no model (see migration 6).
MODELS_STATE = (
    "eJztXW1z4jgS/isqvuxsVXYqkJCZy15dFUmYXXYTmAKyb5Mtl7AV8MXIHllOJrWX/36Sbc"
    "AvsmN5DBiPvgSQ1LbztNxqPWq1/mktbQNZ7tueRxfTBbEptVDrHPzTwnDJvwjrj0ALOs6m"
    "lhdQOPMlW5C11Gi06cylBOqUVd5Dy0WsyECuTkyHmjbmIh+gaSHjB8uemxjotocpIuDeJs"
    "DGCDygZ/AGYgB1v+Y7F6Alaw9YNQS6ZSJMATQMglz3+7f8foatsxuaeF79pT1sfvaQRu05"
    "ogtE2A0+/c2KTWygL8hd/XQetHsTWUYMR3YvfgW/QqPPjl94uYDkg9+UP/dM023LW+JIc+"
    "eZLmy8bs/+L146RxgRSJERgRR7lhWqYFUUPC0roMRD68c0NgUGuoeexRXDpYNH2JS1NG04"
    "mmqT/lTTWimlrSQiYIdFuo25wk1MXR+BJfyiWQjP6YL9PDk+fglutEEiaMbv+FtvfPlzb/"
    "yGtfqe39Jm/SboVcOwqhPUvfgXgRQGl/Gh32B9z5ToMa2lAR9gKsY7KpIAnf0jZUBfFWxQ"
    "3/T+FcTH28J8zp/gh0779N3p+5Oz0/esif+U65J3OVoYDKc+wBtAn9g/YT9pLoWEpkG9Yq"
    "hQc4nEyCZlE+gaofDb1ZdtYb3FLp6D5XRw059Mezcf+eWXrvvZ8hHrTfu8puOXPidK35wl"
    "Ov/6IuD3wfRnwH+Cv0bDvg+n7dI58e+4aTf9q8WfiZliW8MMfGbEIpisildFL9xo3T9EXi"
    "VeMIP6wxMkhpaqsTt2Vtt01bKzTJZADOe+kjia/DnDMWbAQIVYF44/67rcsccMW7nFxp3p"
    "AgHiYcx0C1zTQMC+Z4bf9WbrVufgidl5BEwKTBc4FtSRASA2wMJ+CgsNm4mnB56Kr/0VI4"
    "9ppF/Z29vBlfh1DVonXlLPM423XGY7o0/r3/ce1jkmwL8T/3P6n9bu39Zg8Alev+iL5f/r"
    "+WNOVLOaHOQC0d3ivx/T+CrYEXAReTR1JItrTKpKSNPjzeFh6jF4JAGNiCg042hiNhhJoh"
    "kR+Qo0Q6gaBSYbxKkn8N75dKmPvaWPZ9QjiL/2a+lqZk8FEG197A+vBsOfJIesldg5CL/c"
    "4Y/j0W+DyWA0DIojv+7w+HYYFIdf7vCH3uC6f3UOgs87PJmOPn7kBeGXpFdSZIbWPiswQW"
    "snXdTN/IxXxdVJEHTZ/ytUp/jV2EiUUuHr78ROpwcJfI87p0UQZs2yMfYrE/acWDIQh82b"
    "h2+FDEPEvLNP14GBtSkKcUxoW7Zoj0ifnRQA+uwkE2deFYdZd7w0wB8sG2awNmH7BLb3XO"
    "AA0c1B82p0e3HdZ+NB/9IfD+K8gV/Ji1iBSX0Mxv3edQLcJVraREBCXpjzTFpsI7M7Umyb"
    "/Tfgxf7V6ZycvOscn5y9756+e9d9f7wmyNJVeUzZxeAnTpbF+neaPXMpq50LTEce8hEhBX"
    "1p6H1WZYmwgLX8ZTIaiqGPCSXpSlOn4H/AMt2tKSHChsw806Imdt/y2+6DEOEgxZjLlfV+"
    "c9P7I2nYL69HF0nvnl/gIjWb1wmiAv8+WyUREaWQyhUScI8alOb2Y4IVEPs1cywPndePuV"
    "ZsTkVLKTku2cDlGz7dNEbYeg574IGoPXxZcrXuOUZJrcclldbronXBy+4/fU3W8H6xTTy1"
    "HxBuCRbxNpVHeat4/2XNNMrbFVzH6wHd8lwe2cFFgS8KeFyHsTSxyaWZMw0WEBsuqwTsyV"
    "kf+BG4C/sJAxvr7JLc3UYGa+MukJFezdvKHdSaXi145+w1Pf8zhXM+4dNQrqddiFVr57Bq"
    "7TSr5r9GGn8jZFCOSzUuQuqsCDt8ls0Nn6WYYYege/OLDMQbiSZ25coXONAXx2RWpYSXFZ"
    "dUM6j6OFVpX5p3Is+ViiqMipRi8WqmzqrjCiXh/CooGx2gSdAjGxXLzPPiksoC1dkCKQ4n"
    "+4U6zNl8EQ5npbuZYO0ue84Xl9pqgFFd3udXZno1YUiG7KP/yFeXBAzJpvIojyHxQ8cQb1"
    "eYISFIt4nBCQgELbpgaoXYNf35uR+ZzC8p4j0Ky1XMZuStjQr5DIEXEHbd+k78drgmmsNy"
    "7Ct0sZGBoPfEXmpfF8CYuESNQ7QEAYy9y+ngt/45CD7vMJce93tXf56D9dc7PBiu2q2+3e"
    "GbHuur/WFveMmKIz+SRmk/c3w2QH+dVmMXqDOt8g0pdeeRqbVzm2MAd9udAgizVpkQ+3Uv"
    "atLybcxNa+RRT+DSEe9cj9S+7lO7fsOCTvUII0DgE6DIQktEyTMIxH8Eb/jFjoCLPn/Pt/"
    "EF/Q24NvOXCXIs+BysBrrMe6YLvkOQPpm6wP3eyh0EjvqnqEfHrtn6O+G6xxqwzsuqP/mf"
    "yqdXPv2Bmlip/Yef5XpzKKAid0tH7oriQ/MQFwaHKsCLA647nuYgoguDpfP3YETl1F6M4n"
    "sx+Nqg5DCZEFT9vXR/N0z3oYQCYmIK/tLwM7tgtKUMzVpCmZgiJobD1ZUGuKsAlgG4LY9w"
    "W0GcC3HtSIWxbVme08qlFsI2RwUJBo347QvyDMEtXGBbBiKALiBmfwJigCDK/C6+GBek2T"
    "oC8BHxfYMGYD4ZmHn6A6JpXqGSK77GIwRNU1SCYgwUY3CgJk2CMQg7v1SH3sgov7K0X/lk"
    "GlQQTp4J+rp9kzCvLK4wwocXxDMioRBVNMt+XfQIaNoSCrZAFAN8JatAV9zWQQyCittS3F"
    "bTTEyNeIHMDc6byqNXmQCZDc48mfAMQcIm4DpBBp+gQ4vH3/Is9vxq37nBnuMfWYn1DEzq"
    "gsnPvR863TMeHfCAHAEJUNVF1TbmWsw9s6f2apvtTrbZqkC3bOibuztH7bxranRjLdI71+"
    "1NrnD7VRxdgbtsE2TO8a/oORVYnwA09L5+t8kDIsPwYocJ7KZ080IT+LT2naLdiiHA/m8U"
    "eMmXvcll76rfetmPWzxG90zdi0zPOFaf6xyToKWUf8zjZG0H8hDYUDxI0ZPjuYKxTaHv1+"
    "kLBrfLD4VaAsjusDStZ3EobvW3UL5zDSxTnu8c6ErS9MeE1AY5lfRnD7ORGuWkqelQ2wjH"
    "lLO1ZbI7umricRD6VdPLb0HLijrKHiebSx35x2n5DLuMJxSXqnFygJKuEJtBFfCFWKtMZ8"
    "ivi3tDpqOFB/nKQB2Xah7Up90CSJ92M4HmVYdzqFxdRqfyPBmHqgKe7Da8zGFC+ipDFulQ"
    "dWLIJsFplC0BObaqOsrjxcLTLIsxYtmgKsapBu/4UQ7jtN+k0zXiRLaSctq1vLkMuqv2jU"
    "O3+sPboo+VQniKvmQFncXFdpdWp7UHuzDt/zGNzU5Sx/esZyjXo+FPq+bJM30SgQcMmLnw"
    "aLfsfh2V2dkxqTvr3N0ilqObbTi6KbvxiIgr7NjZEEdEmpgrqnKID+/U3yDJmaQZaSWTqY"
    "nSpl31eXxkb8rP8t18b5UZRStPmra0MV1Yz5pDTNF5qLkR3klRFWRcOsiYoqVjMZDSGsg+"
    "Ri8qs/tz9PYz3d7KiXmKsM1+GxpM2KrT1BqmdcHqTJ1OU5t4s6g20sRRtP4olz2KtFQUUs"
    "MppDqz8IcXsBQSr5KAxqUUpglMvZlhL9lFpbi4qJAi5F4l5A5vQh0mHJedUb+esHxyO+F1"
    "fDq9/nqHL3km8utrXrr+eof7f3wcjHlZ+KUes27dI4RvRXcQMW2Dp5In8nOPjGs00B89XP"
    "9TEB0UVxvCgoFISvHhFXaj9poMTgendYQfZaidsPnuWZ2IwzzzTIua2H3Lb7sPn3k7XA8f"
    "Hi2rHNuTkFVhmHV+5RSrl+3eHCa/o1i9b1HrNWf1/Pg7AZu3isvLZvE4S6PYu4azd/sNAN"
    "u3xdl+CBhaQtOSAXgt0DjOqdMtsu+QtcqJtU/tPHSg6z7ZzEjK7vFMCTawR3e6RWLuWasc"
    "xFNR98S2MizG6zTfSnZ3JN/tpD+WZfi4zDngf+9w7+pmMBxMpuPedMQKYz/rwdWZrsbGZv"
    "NRFB1jM7whzhgxo3IJhcyY4JY0sirY7Qh5MRpdx3zFi0Ey1vH25qLPoPeR3+SDE2SpRS6P"
    "tNMyg/RyzmlKSe4uJKm9LYtTccpaC7pUs+y5iUvMkVLCigKpz6zo0CmQnXpOhzkXVgzIt6"
    "j1ChiQaA6CZEamhE8Tyn/4dYwsmLGRIyMP1IF1h6w9iC/b5Isiec0ErFE861k2d/Tkt9N4"
    "/rDtU0ifEsOBaUgeFatopWbRSrUiPYpE2rBWOVPwVKzNgilDFuGoTCOpji3gvLdEDvXGuv"
    "pMDvz4C52fIC4xm47JNGlrT6Wnv0CiL0yKdOoRKXMhkm1gVz7pFOjKJ53MrsyrkhkHKbS0"
    "4HQRgfead6h0QrJJfXrX29V8KF1q87MEy2ghIqrUUFoNZY2PMjwlDI/tcDTYE2jus0vRUg"
    "ZwkWwDQW933hdZfem8z15+4XUq8D0j8J1Lj/u9qz/PwfqreMv5TY9Zi/6Qx8Gfg8iPeiyp"
    "BUrRCIKuXBaGlGDz0rh120UsF2uVnYyhnbJdIW76AuJ5KWpYeAG1+FMfQji9DmD674khcp"
    "JfWbZei21t1Tqt1HXJwa5bM+BcfYEML8BBGvWEsIoYKIw8t5+ObciQG1GRHcYItI+3O/+o"
    "jtpY7TGSgzUptjtoDwVYaFm27q+l6I6XRjbnVMmU5C5Pl9wWvDnYVXF67QazMoSRSLoxPX"
    "rXVMUay1KskVBc6aKcLpiTichjCROUFFQW6FULtIasjAESCKs+/5V9vpT5EUkrTXylJiR9"
    "y5RcYxRQYWzvLAwUimOavdF8I6H2msdmo1XsNafBnSXUsZGohzr4/Rqjjgdvxo8PyN5YkM"
    "07C0Sbxzxv4RBtG/MejYhGPLxihAtHSIiEm4f6VtbMHhDByCrV01OSCvJCkNuuZi6FjmXO"
    "snBERsFcCGZ/B9ICQUJnqOT+pZi0WsOq8xrWSl8WXWj6AukPZRUeu4DSeZ11ziMjHUR04U"
    "l6OeRUQq4kN3U4iq2CnQp4JY0fICtHiCQES03Fawb1ftgQw3QfSuAfE1Pol0WfGQWjLWVl"
    "1hLKvhSwLxytrjS+XYWvBL5teYDbCuGiCLO7GeY6z35RHi8upbi8yrk8/8jkMvxGSrB58+"
    "7qQ9/9WZSLPsv5KFGpxqzV7NhBOawMHrvt9IeZzEGl8PgWtS5gPsqn8KgidQdPMaHydkjk"
    "7eghYuqLliBnR1hzlJevA27a1CbZa+bALUzKIRiyQ1OW11P2mymikvCK7CQc6hjZXeTD5C"
    "+VjIMfNG8gulvJn8tX2YVMe+7klopJdnXs6GtzWInxvvrB7OX/z1+LuQ=="
)
